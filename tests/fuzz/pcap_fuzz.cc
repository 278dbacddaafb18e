// A capture file (classic pcap in either byte order and resolution, or pcapng) through the
// whole `homeport audit capture` analysis: the reader, link/IP/transport decoding,
// defragmentation, TCP reassembly, every dissector, the identifier scan, the verdict and the
// three report renderings. Damage must end the stream cleanly, never crash.
#include "audit/capture_analysis.h"
#include "audit/capture_report.h"
#include "fuzz/fuzz_input_file.h"

namespace {

// Every public address is in one made-up country: the analysis judges countries without a
// database.
class OneCountry : public homeport::audit::GeoLookup {
 public:
  homeport::audit::GeoInfo Lookup(const homeport::audit::capture::IpAddress&) const override {
    return {"SG", 64500, "Example AS"};
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* file = new homeport::fuzzing::InputFile(".pcap");
  static const auto* scanner = [] {
    auto s = homeport::privacy::IdentifierScanner::Create({"SG"});
    if (!s.ok()) abort();
    return new homeport::privacy::IdentifierScanner(std::move(*s));
  }();
  static const auto* policy = [] {
    auto p = homeport::audit::AuditPolicy::Parse(
        R"({"region": "sg", "allow_hosts": ["*.sg.example.com"], "allow_countries": ["SG"]})");
    if (!p.ok()) abort();
    return new homeport::audit::AuditPolicy(std::move(*p));
  }();
  static const OneCountry geo;
  homeport::audit::CaptureOptions options;
  options.stream_limits.max_buffered = 64 << 10;
  options.stream_limits.max_out_of_order = 16 << 10;
  options.reassembly_budget = 1 << 20;
  options.max_flows = 64;
  options.destinations.max_sightings = 16;
  options.destinations.max_destinations = 32;
  options.destinations.max_groups = 8;
  const std::string& path =
      file->Write(std::string_view(reinterpret_cast<const char*>(data), size));
  auto report = homeport::audit::AnalyzeCaptureFile(path, *scanner, geo, policy, options);
  if (!report.ok()) return 0;
  (void)homeport::audit::RenderCaptureText(*report, {});
  (void)homeport::audit::RenderCaptureJson(*report, {});
  (void)homeport::audit::RenderCaptureHtml(*report, {});
  return 0;
}
