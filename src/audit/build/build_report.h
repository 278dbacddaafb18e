// The audit build report in three forms, all ordered the same way — violations first, then
// manifests, allowed hosts, what was not scanned, and the summary:
//  - text for a terminal,
//  - JSON for tools (field names are a stable interface),
//  - one self-contained HTML page (no scripts, no external resources) for a regulator.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "audit/build/build_audit.h"

namespace homeport::audit::build {

std::string BuildReportText(const BuildFindings& findings, const BuildVerdict& verdict);
nlohmann::json BuildReportJson(const BuildFindings& findings, const BuildVerdict& verdict);
std::string BuildReportHtml(const BuildFindings& findings, const BuildVerdict& verdict);

// "url,manifest": how a host was found at one place.
std::string EvidenceNames(unsigned evidence_bits);
// "1.5 MiB"
std::string HumanBytes(uint64_t bytes);

}  // namespace homeport::audit::build
