// `homeport audit capture` as a privacy engineer runs it: captures written by the test, the
// real geo data, the exit code contract (0 clean, 1 violations, 2 unusable input).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../audit/capture_scenes.h"
#include "e2e_support.h"

namespace homeport::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Files {
  testing::TempDir dir;
  std::string policy = dir.File("sg.json");
  Files() { testing::CaptureWriter::Write(policy, testing::kSgPolicy); }
  std::string Capture(const std::string& name, const std::string& bytes) {
    const std::string path = dir.File(name);
    testing::CaptureWriter::Write(path, bytes);
    return path;
  }
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(AuditCaptureE2e, The2019LeakIsAViolation) {
  Files f;
  testing::CaptureWriter w;
  testing::Write2019Leak(w, {.out_of_order = true, .retransmit = true});
  const std::string pcap = f.Capture("leak.pcap", w.Pcap());
  const std::string html = f.dir.File("leak.html");
  CommandResult r =
      Homeport({"audit", "capture", pcap, "--policy", f.policy, "--json", "--html", html});
  ASSERT_EQ(r.exit_code, 1) << r.err << r.out;
  auto j = nlohmann::json::parse(r.out);
  const auto& d = j["destinations"][0];
  EXPECT_EQ(d["name"], "zzhc.vnet.cn");
  EXPECT_EQ(d["addresses"][0]["country"], "CN");  // from the real database
  EXPECT_EQ(d["encrypted"], false);
  std::set<std::string> kinds;
  for (const auto& s : d["identifiers"]) {
    kinds.insert(s["kind"].get<std::string>() + ":" + s["key"].get<std::string>());
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"imei:imei", "iccid:iccid", "imsi:imsi", "mac:mac",
                                          "cell_id:cellid"}));
  EXPECT_THAT(r.out, Not(HasSubstr("490154203237518")));  // masked by default
  EXPECT_EQ(j["stats"]["tcp_out_of_order"], 1);
  EXPECT_EQ(j["stats"]["tcp_retransmitted"], 1);
  const std::string page = Slurp(html);
  EXPECT_THAT(page, HasSubstr("zzhc.vnet.cn"));
  EXPECT_THAT(page, Not(HasSubstr("<script")));

  CommandResult text = Homeport({"audit", "capture", pcap, "--policy", f.policy, "--show-values"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.out, HasSubstr("VIOLATION"));
  EXPECT_THAT(text.out, HasSubstr("490154203237518"));
}

TEST(AuditCaptureE2e, ACleanSessionPasses) {
  Files f;
  testing::CaptureWriter w;
  testing::WriteCleanSession(w);
  CommandResult r =
      Homeport({"audit", "capture", f.Capture("clean.pcapng", w.Pcapng()), "--policy", f.policy});
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("clean"));
  EXPECT_THAT(r.out, HasSubstr("act.sg.example.com"));
  EXPECT_THAT(r.out, HasSubstr("SG"));
}

TEST(AuditCaptureE2e, DamagedInputExitsTwoWithTheOffsetAndStillReports) {
  Files f;
  testing::CaptureWriter w;
  testing::WriteCleanSession(w);
  const std::string whole = w.Pcap();
  const size_t cut_at = whole.size() - 16 - w.frames().back().size();
  CommandResult r =
      Homeport({"audit", "capture", f.Capture("cut.pcap", whole.substr(0, whole.size() - 3)),
                "--policy", f.policy});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("homeport: "));
  EXPECT_THAT(r.err, HasSubstr("byte offset " + std::to_string(cut_at)));
  EXPECT_THAT(r.out, HasSubstr("act.sg.example.com"));

  CommandResult junk =
      Homeport({"audit", "capture", f.Capture("junk.pcap", "junk"), "--policy", f.policy});
  EXPECT_EQ(junk.exit_code, 2);
  EXPECT_THAT(junk.err, HasSubstr("not a readable pcap"));

  CommandResult no_policy =
      Homeport({"audit", "capture", f.Capture("ok.pcap", w.Pcap()), "--policy", "/nonexistent"});
  EXPECT_EQ(no_policy.exit_code, 2);
  EXPECT_THAT(no_policy.err, HasSubstr("/nonexistent"));
}

}  // namespace
}  // namespace homeport::e2e
