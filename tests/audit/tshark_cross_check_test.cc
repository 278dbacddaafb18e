// The dissectors against tshark on real captures (tests/data/captures and tests/data/quic, from
// nDPI's suite): the DNS names asked for, the TLS and QUIC server names and the HTTP Host
// values must be the sets tshark extracts with -T fields -e dns.qry.name
// -e tls.handshake.extensions_server_name -e http.host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <set>
#include <vector>

#include "audit/capture_analysis.h"
#include "capture_test_support.h"

namespace homeport::audit {
namespace {

struct Names {
  std::set<std::string> dns, sni, host;
};

// Splits tshark's comma-joined multi-values; drops its placeholders such as "<Root>" and
// "<Name too long>", which name nothing on the wire.
void AddValues(const std::string& field, std::set<std::string>* out) {
  size_t at = 0;
  while (at <= field.size()) {
    const size_t comma = field.find(',', at);
    std::string v = field.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (!v.empty() && v.front() != '<') out->insert(v);
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
}

bool HaveTshark() { return std::system("command -v tshark >/dev/null 2>&1") == 0; }

Names Tshark(const std::string& path) {
  Names n;
  const std::string cmd = "tshark -r '" + path +
                          "' -T fields -e dns.qry.name -e tls.handshake.extensions_server_name "
                          "-e http.host 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return n;
  std::string line;
  std::array<char, 4096> buf;
  std::string all;
  while (size_t got = fread(buf.data(), 1, buf.size(), p)) all.append(buf.data(), got);
  pclose(p);
  size_t at = 0;
  while (at < all.size()) {
    const size_t eol = all.find('\n', at);
    line = all.substr(at, eol == std::string::npos ? std::string::npos : eol - at);
    at = eol == std::string::npos ? all.size() : eol + 1;
    const size_t t1 = line.find('\t');
    const size_t t2 = line.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos) continue;
    AddValues(line.substr(0, t1), &n.dns);
    AddValues(line.substr(t1 + 1, t2 - t1 - 1), &n.sni);
    AddValues(line.substr(t2 + 1), &n.host);
  }
  return n;
}

TEST(TsharkCrossCheck, SameNamesOnEveryTestCapture) {
  if (!HaveTshark()) GTEST_SKIP() << "tshark is not installed (Debian package tshark)";
  static const auto scanner = privacy::IdentifierScanner::Create();
  // tests/data/quic: QUIC Initials of every version read, whose SNIs tshark shows in the same
  // field as TLS's.
  std::vector<std::string> paths;
  for (const char* dir : {"/tests/data/captures", "/tests/data/quic"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(HOMEPORT_SOURCE_DIR) + dir)) {
      const std::string path = entry.path().string();
      if (path.find(".pcap") != std::string::npos) paths.push_back(path);
    }
  }
  for (const std::string& path : paths) {
    auto report = AnalyzeCaptureFile(path, *scanner, testing::FakeGeo(), &testing::SgPolicy());
    ASSERT_TRUE(report.ok()) << path << ": " << report.status().ToString();
    const Names want = Tshark(path);
    EXPECT_EQ(report->names.dns_queries, want.dns) << path;
    EXPECT_EQ(report->names.tls_server_names, want.sni) << path;
    EXPECT_EQ(report->names.http_hosts, want.host) << path;
  }
  EXPECT_GE(paths.size(), 17u);
}

}  // namespace
}  // namespace homeport::audit
