// The capture verdict as a person or a program reads it: plain text for a terminal, JSON for
// tools, and one self-contained HTML page (no external assets, everything escaped) a regulator
// can open offline. Each is written as a stream, destination by destination, from the compact
// aggregates — never built as one document in memory. Everything that came from the capture
// (names, hosts, paths, values) is shown in its Printable form in every rendering. Identifier
// values are masked (privacy::MaskValue) unless asked otherwise.
#pragma once

#include <ostream>
#include <string>

#include "audit/capture_analysis.h"
#include "audit/provenance.h"

namespace homeport::audit {

struct CaptureReportOptions {
  bool show_values = false;  // print identifiers as sent instead of masked
  // What the report was made from and by what; every form carries it when given.
  const Provenance* provenance = nullptr;
};

void WriteCaptureText(const CaptureReport& report, const CaptureReportOptions& options,
                      std::ostream& out);
void WriteCaptureJson(const CaptureReport& report, const CaptureReportOptions& options,
                      std::ostream& out);
void WriteCaptureHtml(const CaptureReport& report, const CaptureReportOptions& options,
                      std::ostream& out);

// The same, into a string (for tests and small captures).
std::string RenderCaptureText(const CaptureReport& report, const CaptureReportOptions& options);
std::string RenderCaptureJson(const CaptureReport& report, const CaptureReportOptions& options);
std::string RenderCaptureHtml(const CaptureReport& report, const CaptureReportOptions& options);

}  // namespace homeport::audit
