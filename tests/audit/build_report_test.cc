// The build report's three forms: violations first, every finding names its place, HTML
// escapes what the firmware contains.
#include "audit/build/build_report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/testing_temp_dir.h"
#include "provisioning/region_manifest.h"

namespace homeport::audit::build {
namespace {

class BuildReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegionManifest cn{"cn", {"global"}, "http://zzhc.vnet.cn", "http://zzhc.vnet.cn",
                      {},   1,          "2019-01-01T00:00:00Z"};
    auto jws = SignManifest(cn, root_);
    ASSERT_TRUE(jws.ok());
    std::filesystem::create_directories(dir_.File("etc"));
    std::ofstream(dir_.File("etc/manifest.jws")) << *jws;
    std::ofstream(dir_.File("etc/<script>.txt")) << "https://act.sg.example.com/ x\n";
    auto f = ScanBuildTree(dir_.path(), root_.Public());
    ASSERT_TRUE(f.ok());
    findings_ = std::move(*f);
    findings_.root = "tree";
    auto p = AuditPolicy::Parse(R"({"region": "sg", "allow_hosts": ["*.sg.example.com"]})");
    ASSERT_TRUE(p.ok());
    policy_ = *p;
  }
  testing::TempDir dir_;
  crypto::SecretKey root_ = crypto::SecretKey::Generate();
  BuildFindings findings_;
  AuditPolicy policy_;
};

TEST_F(BuildReportTest, TextPutsViolationsFirst) {
  BuildVerdict v = Judge(findings_, policy_);
  std::string text = BuildReportText(findings_, v);
  EXPECT_NE(text.find("Result: 2 violations (1 manifest, 1 host)"), std::string::npos) << text;
  const size_t violations = text.find("Violations");
  const size_t manifest = text.find("MANIFEST etc/manifest.jws: is for region \"cn\"");
  const size_t host = text.find("HOST zzhc.vnet.cn");
  const size_t allowed = text.find("Allowed hosts (1)");
  ASSERT_NE(manifest, std::string::npos) << text;
  ASSERT_NE(host, std::string::npos) << text;
  EXPECT_LT(violations, manifest);
  EXPECT_LT(host, allowed);
  EXPECT_NE(text.find("etc/manifest.jws  x2  manifest"), std::string::npos) << text;
  EXPECT_NE(text.find("Scanned 2 files, 0 archives"), std::string::npos) << text;
}

TEST_F(BuildReportTest, JsonNamesEveryViolationAndItsPlace) {
  BuildVerdict v = Judge(findings_, policy_);
  nlohmann::json j = BuildReportJson(findings_, v);
  EXPECT_EQ(j["clean"], false);
  EXPECT_EQ(j["region"], "sg");
  ASSERT_EQ(j["violations"].size(), 2u);
  EXPECT_EQ(j["violations"][0]["kind"], "manifest");
  EXPECT_EQ(j["violations"][0]["location"], "etc/manifest.jws");
  EXPECT_EQ(j["violations"][0]["region"], "cn");
  EXPECT_EQ(j["violations"][0]["variants"], nlohmann::json({"global"}));
  EXPECT_EQ(j["violations"][1]["kind"], "host");
  EXPECT_EQ(j["violations"][1]["host"], "zzhc.vnet.cn");
  EXPECT_EQ(j["violations"][1]["places"][0]["location"], "etc/manifest.jws");
  EXPECT_EQ(j["violations"][1]["places"][0]["evidence"], nlohmann::json({"manifest"}));
  EXPECT_EQ(j["hosts"].size(), 2u);
  EXPECT_EQ(j["summary"]["files"], 2);
  EXPECT_EQ(j["summary"]["host_violations"], 1);
}

TEST_F(BuildReportTest, HtmlIsSelfContainedAndEscaped) {
  BuildVerdict v = Judge(findings_, policy_);
  std::string html = BuildReportHtml(findings_, v);
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(html.find("zzhc.vnet.cn"), std::string::npos);
  EXPECT_NE(html.find("etc/&lt;script&gt;.txt"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_NE(html.find("2 violation(s)"), std::string::npos);
}

TEST_F(BuildReportTest, CleanReportSaysSo) {
  auto open = AuditPolicy::Parse(
      R"({"region": "cn", "allow_hosts": ["zzhc.vnet.cn", "*.sg.example.com"],
          "allow_cleartext": true})");  // the 2019 manifest's endpoints are plain http://
  ASSERT_TRUE(open.ok());
  BuildVerdict v = Judge(findings_, *open);
  EXPECT_NE(BuildReportText(findings_, v).find("Result: clean"), std::string::npos);
  EXPECT_EQ(BuildReportJson(findings_, v)["clean"], true);
  EXPECT_NE(BuildReportHtml(findings_, v).find("Clean:"), std::string::npos);
}

// A file or member name is the firmware maker's text: bytes that are not UTF-8 and control
// characters. The JSON writer used to throw (SIGABRT) on the first, and the text form printed
// the second raw, so a name could print "Result: clean" on a line of its own.
TEST_F(BuildReportTest, NamesFromTheTreeCannotBreakOrForgeAnyForm) {
  const std::string hostile = "fw\xff\xfe.bin\nResult: clean, no violations\x1b[2K";
  findings_.uninspected.push_back({hostile + "!member\xc3", "not readable: test", 0, 7});
  findings_.notes.push_back({hostile, "device"});
  findings_.root = "tree\xff";
  BuildVerdict v = Judge(findings_, policy_);
  const std::string text = BuildReportText(findings_, v);
  EXPECT_EQ(text.find("\nResult: clean"), std::string::npos) << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("fw\\xff\\xfe.bin\\nResult: clean, no violations\\x1b[2K!member\\xc3"),
            std::string::npos)
      << text;
  nlohmann::json j = BuildReportJson(findings_, v);
  std::string dumped;
  ASSERT_NO_THROW(dumped = j.dump());  // strict: throws on invalid UTF-8
  EXPECT_EQ(j["uninspected"][0]["subject"],
            "fw\\xff\\xfe.bin\\nResult: clean, no violations\\x1b[2K!member\\xc3");
  EXPECT_EQ(j["root"], "tree\\xff");
  const std::string html = BuildReportHtml(findings_, v);
  EXPECT_NE(html.find("fw\\xff\\xfe.bin"), std::string::npos);
  EXPECT_EQ(html.find('\xff'), std::string::npos);
}

TEST_F(BuildReportTest, UninspectedPartsAreViolationsInEveryFormUnlessAllowed) {
  findings_.uninspected.push_back(
      {"fw.zip!big.bin", "larger than the per-member limit of 1 MiB", 1 << 20, 1 << 20});
  BuildVerdict v = Judge(findings_, policy_);
  EXPECT_EQ(v.UninspectedViolations(), 1u);
  const std::string text = BuildReportText(findings_, v);
  EXPECT_NE(text.find("Result: 3 violations (1 manifest, 1 host, 1 not fully inspected)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Not fully inspected (1)\n  fw.zip!big.bin: larger than the per-member "
                      "limit of 1 MiB (limit 1048576 bytes, from offset 1048576)"),
            std::string::npos)
      << text;
  nlohmann::json j = BuildReportJson(findings_, v);
  ASSERT_EQ(j["violations"].size(), 3u);
  EXPECT_EQ(j["violations"][2]["kind"], "uninspected");
  EXPECT_EQ(j["violations"][2]["subject"], "fw.zip!big.bin");
  EXPECT_EQ(j["violations"][2]["limit"], 1 << 20);
  EXPECT_EQ(j["violations"][2]["offset"], 1 << 20);
  EXPECT_EQ(j["summary"]["uninspected_violations"], 1);
  EXPECT_NE(BuildReportHtml(findings_, v).find("Not fully inspected"), std::string::npos);

  auto open = AuditPolicy::Parse(
      R"({"region": "cn", "allow_hosts": ["*"], "allow_cleartext": true,
          "allow_uninspected": true})");
  ASSERT_TRUE(open.ok());
  BuildVerdict accepted = Judge(findings_, *open);
  EXPECT_TRUE(accepted.Clean());
  EXPECT_NE(BuildReportText(findings_, accepted)
                .find("Result: clean, no violations; 1 part not fully inspected, accepted"),
            std::string::npos);
  EXPECT_EQ(BuildReportJson(findings_, accepted)["violations"].size(), 0u);
}

TEST(BuildReportFormat, HumanBytes) {
  EXPECT_EQ(HumanBytes(0), "0 B");
  EXPECT_EQ(HumanBytes(1023), "1023 B");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(HumanBytes(uint64_t{3} << 30), "3.0 GiB");
  EXPECT_EQ(EvidenceNames((1u << 1) | (1u << 0)), "manifest,url");
}

}  // namespace
}  // namespace homeport::audit::build
