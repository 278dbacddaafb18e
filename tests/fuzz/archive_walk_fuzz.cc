// One file of a firmware tree through `homeport audit build`: container sniffing, libarchive's
// zip/tar/compressed readers with archives nested three deep, string extraction, host and
// manifest finding, the verdict and the three reports. Limits are small so a bomb stops fast.
// The JSON report is dumped strictly: a name that is not UTF-8 must already be escaped.
#include "audit/build/build_audit.h"
#include "audit/build/build_report.h"
#include "fuzz/fuzz_input_file.h"
#include "fuzz/fuzz_root_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* file = new homeport::fuzzing::InputFile(".bin");
  static const homeport::crypto::PublicKey root_key = homeport::fuzzing::FuzzRootKey().Public();
  static const auto* policy = [] {
    auto p = homeport::audit::AuditPolicy::Parse(
        R"({"region": "sg", "allow_hosts": ["*.sg.example.com"]})");
    if (!p.ok()) abort();
    return new homeport::audit::AuditPolicy(std::move(*p));
  }();
  homeport::audit::build::BuildAuditOptions options;
  options.max_member_bytes = 1 << 20;
  options.max_archive_bytes = 4 << 20;
  options.max_total_bytes = 8 << 20;
  const std::string& path =
      file->Write(std::string_view(reinterpret_cast<const char*>(data), size));
  auto findings = homeport::audit::build::ScanBuildTree(path, root_key, options);
  if (!findings.ok()) return 0;
  auto verdict = homeport::audit::build::Judge(*findings, *policy);
  (void)homeport::audit::build::BuildReportText(*findings, verdict);
  (void)homeport::audit::build::BuildReportJson(*findings, verdict).dump();
  (void)homeport::audit::build::BuildReportHtml(*findings, verdict);
  return 0;
}
