// The captures an attacker would craft against `homeport audit capture`, through the real
// binary: identifiers hidden past the scan limits are found or the part not looked at is a
// violation, crafted shapes that used to cost quadratic time or gigabytes finish with a report,
// and memory stays within the verifier's bound whatever the capture.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pcap/dlt.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>

#include "../audit/hostile_captures.h"
#include "e2e_support.h"

namespace homeport::e2e {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// Everything the capture's traffic does is allowed except leaving something uninspected: the
// only rule left to break is "uninspected".
constexpr const char* kPermissive =
    R"({"region":"cn","allow_hosts":["*"],"allow_countries":["CN","SG"],)"
    R"("allow_cleartext":true,"allow_identifiers":["imei"]})";
constexpr const char* kPermissiveAllowingUninspected =
    R"({"region":"cn","allow_hosts":["*"],"allow_countries":["CN","SG"],)"
    R"("allow_cleartext":true,"allow_identifiers":["imei"],"allow_uninspected":true})";

struct Audit {
  testing::TempDir dir;
  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = dir.File(name);
    testing::CaptureWriter::Write(path, bytes);
    return path;
  }
  CommandResult Run(const std::string& pcap, const char* policy) {
    return Homeport({"audit", "capture", pcap, "--policy", Write("policy.json", policy), "--json"});
  }
};

std::set<std::string> IdentifierKinds(const nlohmann::json& report) {
  std::set<std::string> kinds;
  for (const auto& d : report["destinations"]) {
    for (const auto& s : d["identifiers"]) kinds.insert(s["kind"].get<std::string>());
  }
  return kinds;
}

std::vector<std::string> UninspectedReasons(const nlohmann::json& report) {
  std::vector<std::string> reasons;
  for (const auto& u : report["uninspected"]) reasons.push_back(u["reason"]);
  for (const auto& d : report["destinations"]) {
    for (const auto& u : d["uninspected"]) reasons.push_back(u["reason"]);
  }
  return reasons;
}

std::set<std::string> Rules(const nlohmann::json& report) {
  std::set<std::string> rules;
  for (const auto& v : report["violations"]) rules.insert(v["rule"].get<std::string>());
  return rules;
}

TEST(AuditCaptureHostileE2e, AnImeiTenKilobytesIntoATwoMegabyteBodyIsFound) {
  Audit a;
  testing::CaptureWriter w;
  testing::WriteLargeUpload(w, 2'000'000, 10'000);
  const std::string pcap = a.Write("upload.pcap", w.Pcap());
  CommandResult r = a.Run(pcap, testing::kSgPolicy);
  ASSERT_EQ(r.exit_code, 1) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_THAT(IdentifierKinds(j), Contains("imei"));
  EXPECT_THAT(Rules(j), Contains("identifier"));
  // What is past the 1 MiB scan limit is named, and is a violation of its own.
  EXPECT_THAT(UninspectedReasons(j), Contains("HTTP body past the scan limit"));
  EXPECT_THAT(Rules(j), Contains("uninspected"));
}

TEST(AuditCaptureHostileE2e, UninspectedIsAViolationUnlessThePolicyAllowsIt) {
  Audit a;
  testing::CaptureWriter w;
  testing::WriteGzipBombUpload(w);
  const std::string pcap = a.Write("bomb.pcap", w.Pcap());

  CommandResult strict = a.Run(pcap, kPermissive);
  ASSERT_EQ(strict.exit_code, 1) << strict.err << strict.out;
  const auto j = nlohmann::json::parse(strict.out);
  EXPECT_EQ(Rules(j), std::set<std::string>{"uninspected"});
  EXPECT_THAT(UninspectedReasons(j), Contains("gzip body inflates past the scan limit"));
  EXPECT_THAT(IdentifierKinds(j), Contains("imei"));  // inflated as far as the limit

  CommandResult allowed = a.Run(pcap, kPermissiveAllowingUninspected);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.out;
  const auto k = nlohmann::json::parse(allowed.out);
  EXPECT_EQ(k["verdict"], "clean");
  EXPECT_FALSE(UninspectedReasons(k).empty());  // still listed, only not judged

  CommandResult text = Homeport({"audit", "capture", pcap, "--policy",
                                 a.Write("strict.json", kPermissive)});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.out, HasSubstr("gzip body inflates past the scan limit"));
}

TEST(AuditCaptureHostileE2e, AHeadPastItsLimitIsScannedAsFarAsItFits) {
  Audit a;
  testing::CaptureWriter w;
  testing::WriteLongHeadRequest(w);
  CommandResult r = a.Run(a.Write("head.pcap", w.Pcap()), kPermissive);
  ASSERT_EQ(r.exit_code, 1) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_THAT(IdentifierKinds(j), Contains("imei"));
  EXPECT_THAT(UninspectedReasons(j), Contains("HTTP request head past the size limit"));
  EXPECT_THAT(j["names"]["http_hosts"], Contains("zzhc.vnet.cn"));
}

TEST(AuditCaptureHostileE2e, AChunkedBodyOneByteASegmentFinishesWithTheImei) {
  Audit a;
  testing::CaptureWriter w;
  testing::WriteOneByteChunkedUpload(w, 4'700'000);
  const std::string pcap = a.Write("chunked.pcap", w.Pcap());
  ASSERT_GT(w.Pcap().size(), 4'700'000u);
  CommandResult r = a.Run(pcap, testing::kSgPolicy);
  ASSERT_EQ(r.exit_code, 1) << r.err;  // killed after 60 s: it took 77 s when quadratic
  EXPECT_THAT(IdentifierKinds(nlohmann::json::parse(r.out)), Contains("imei"));
}

TEST(AuditCaptureHostileE2e, AFloodOfFragmentsOfOneDatagramIsReportedAsUninspected) {
  Audit a;
  testing::CaptureWriter w;
  testing::WriteFragmentFlood(w, 100'000);
  CommandResult r = a.Run(a.Write("fragments.pcap", w.Pcap()), kPermissive);
  ASSERT_EQ(r.exit_code, 1) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(Rules(j), std::set<std::string>{"uninspected"});
  ASSERT_FALSE(j["uninspected"].empty());
  EXPECT_THAT(j["uninspected"][0]["subject"].get<std::string>(),
              HasSubstr("192.168.1.20 → 202.102.94.1"));
}

TEST(AuditCaptureHostileE2e, CraftedCnameChainsNameTheFlowByTheNameAskedFor) {
  Audit a;
  testing::CaptureWriter w;
  std::vector<std::string> chain;
  for (int i = 0; i < 40; ++i) {
    chain.push_back(std::string(60, static_cast<char>('a' + i % 26)) + std::to_string(i) +
                    ".cdn.example.net");
  }
  for (uint16_t i = 0; i < 2000; ++i) {
    w.Udp(testing::kResolver, 53, testing::kDevice, static_cast<uint16_t>(20000 + i),
          testing::DnsResponse(i, "act.sg.example.com", chain, testing::kSingTel));
  }
  testing::TcpConversation c(w, testing::kDevice, 40012, testing::kSingTel, 443);
  c.Open();
  c.Send(std::string("\x17\x03\x03\x00\x05hello", 10));
  c.Close();
  CommandResult r = a.Run(a.Write("cnames.pcap", w.Pcap()), testing::kSgPolicy);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto j = nlohmann::json::parse(r.out);
  bool named = false;
  for (const auto& d : j["destinations"]) named = named || d["name"] == "act.sg.example.com";
  EXPECT_TRUE(named);
}

// 250,000 SYNs to distinct addresses: 17.5 MB of capture that once took 2.3 GB. The report
// lists the first destinations, folds the rest into aggregate rows with every verdict counted,
// and the process stays within the verifier's memory bound.
TEST(AuditCaptureHostileE2e, SynsToAQuarterMillionAddressesStayBoundedAndAreAllJudged) {
  Audit a;
  const std::string pcap = a.dir.File("syns.pcap");
  // Written by a child process, so this one stays small and the audit's peak resident set is
  // its own (a forked child starts with its parent's).
  const pid_t writer = fork();
  if (writer == 0) {
    testing::CaptureWriter w;
    for (uint32_t i = 0; i < 250'000; ++i) {
      const std::string address = "203." + std::to_string((i >> 16) & 0xff) + "." +
                                  std::to_string((i >> 8) & 0xff) + "." +
                                  std::to_string(i & 0xff);
      testing::TcpConversation c(w, testing::kDevice, static_cast<uint16_t>(10000 + i % 50000),
                                 address, 443);
      c.Open();
    }
    testing::CaptureWriter::Write(pcap, w.Pcap());
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(writer, &status, 0), writer);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CommandResult r = a.Run(pcap, testing::kSgPolicy);
  ASSERT_EQ(r.exit_code, 1) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["stats"]["destinations_listed"], 100'000);
  EXPECT_EQ(j["stats"]["flows_aggregated"], 150'000);
  uint64_t host_violations = 0;
  for (const auto& v : j["violations"]) {
    if (v["rule"] == "host") host_violations += v["count"].get<uint64_t>();
  }
  EXPECT_EQ(host_violations, 250'000u);  // every flow judged, listed or folded
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_LE(r.peak_rss_kib, 256 * 1024) << "the audit's peak resident set, KiB";
#endif
}

}  // namespace
}  // namespace homeport::e2e
