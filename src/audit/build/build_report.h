// The audit build report in three forms, all ordered the same way — violations first, then
// manifests, allowed hosts, what was not scanned, and the summary:
//  - text for a terminal,
//  - JSON for tools (field names are a stable interface),
//  - one self-contained HTML page (no scripts, no external resources) for a regulator.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "audit/build/build_audit.h"
#include "audit/provenance.h"

namespace homeport::audit::build {

// `provenance`, when given, is part of every form (audit/provenance.h): a "provenance" object
// in JSON, a block before the summary in text, a section of the page.
std::string BuildReportText(const BuildFindings& findings, const BuildVerdict& verdict,
                            const Provenance* provenance = nullptr);
nlohmann::json BuildReportJson(const BuildFindings& findings, const BuildVerdict& verdict,
                               const Provenance* provenance = nullptr);
std::string BuildReportHtml(const BuildFindings& findings, const BuildVerdict& verdict,
                            const Provenance* provenance = nullptr);

// "url,manifest": how a host was found at one place.
std::string EvidenceNames(unsigned evidence_bits);
// "1.5 MiB"
std::string HumanBytes(uint64_t bytes);

}  // namespace homeport::audit::build
