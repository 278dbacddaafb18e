// A throughput check of IdentifierScanner on a 2 KB mixed UX-feedback text: prints MB/s and
// asserts only what was found, never a time (timings belong to bench/, not to pass/fail).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "scan_test_util.h"

namespace homeport::privacy {
namespace {

// About 2 KB: prose, dates, versions, counts, and one of most identifier kinds.
std::string MixedText() {
  std::string t;
  const char* paragraphs[] = {
      "After the 2.3.1 update on 2026-11-29 the camera app froze twice while recording 4K "
      "video at 60 fps. I restarted 3 times; battery was at 47% and the phone was warm. ",
      "Support asked for details: my number is +65 6123 4567 and mail is jane.doe@example.com. ",
      "Settings > About shows build 00WW_2_180, kernel 4.9.112, security patch 2026-11-05. ",
      "Wi-Fi connected to 192.168.1.20 via gateway 192.168.1.1, DNS 8.8.8.8, signal -61 dBm. ",
      "The dialer showed IMEI 490154203237518 when I typed *#06#, which I did not expect. ",
      "{\"event\":\"crash\",\"count\":12,\"duration_ms\":3581,\"screen\":\"viewfinder\"} ",
      "Bluetooth headset 3c:5a:b4:01:23:9f paired fine, but the audio lagged by 250 ms. ",
      "Order #A-20261129-0042 arrived on 29/11/2026; the box said 128 GB, 6 GB RAM. ",
  };
  while (t.size() < 2048) {
    for (const char* p : paragraphs) t += p;
  }
  t.resize(2048);
  return t;
}

double MegabytesPerSecond(const IdentifierScanner& scanner, const std::string& text,
                          size_t* findings) {
  using Clock = std::chrono::steady_clock;
  const auto budget = std::chrono::milliseconds(300);
  const auto start = Clock::now();
  size_t rounds = 0;
  while (Clock::now() - start < budget) {
    *findings = scanner.Scan(text).size();
    ++rounds;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return static_cast<double>(rounds * text.size()) / seconds / 1e6;
}

TEST(ScannerThroughput, PrintsMegabytesPerSecondOnMixedText) {
  const std::string text = MixedText();
  size_t findings = 0;
  const double mixed = MegabytesPerSecond(testing::ScannerFor("SG"), text, &findings);
  EXPECT_GE(findings, 6u);

  // The same bytes with every digit replaced: what the verifier sees in most of a capture.
  std::string prose = text;
  for (char& c : prose) {
    if (c >= '0' && c <= '9') c = 'x';
  }
  size_t prose_findings = 0;
  const double plain = MegabytesPerSecond(testing::ScannerFor("SG"), prose, &prose_findings);

  std::printf(
      "[ throughput ] IdentifierScanner::Scan, 2 KB mixed text: %.1f MB/s "
      "(%zu findings per text); same text without digits: %.1f MB/s\n",
      mixed, findings, plain);
  RecordProperty("mixed_mb_per_s", static_cast<int>(mixed));
  RecordProperty("no_digits_mb_per_s", static_cast<int>(plain));
}

}  // namespace
}  // namespace homeport::privacy
