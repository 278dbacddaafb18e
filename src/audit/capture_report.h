// The capture verdict as a person or a program reads it: plain text for a terminal, JSON for
// tools, and one self-contained HTML page (no external assets, everything escaped) a regulator
// can open offline. Identifier values are masked (privacy::MaskValue) unless asked otherwise.
#pragma once

#include <string>

#include "audit/capture_analysis.h"

namespace homeport::audit {

struct CaptureReportOptions {
  bool show_values = false;  // print identifiers as sent instead of masked
};

std::string RenderCaptureText(const CaptureReport& report, const CaptureReportOptions& options);
std::string RenderCaptureJson(const CaptureReport& report, const CaptureReportOptions& options);
std::string RenderCaptureHtml(const CaptureReport& report, const CaptureReportOptions& options);

}  // namespace homeport::audit
