// The provenance every verifier report carries: the same facts in JSON (stable field names),
// text and HTML, with names from outside escaped.
#include "audit/provenance.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace homeport::audit {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Provenance CaptureProvenance() {
  Provenance p = NewProvenance("0.1.0", "0123456789ab", *ParseRfc3339("2026-12-04T07:00:00Z"));
  p.input_kind = InputKind::kFile;
  p.input = "device.pcap";
  p.input_sha256 = std::string(64, 'a');
  p.capture = true;
  p.capture_start = CaptureTimestamp(1'700'000'000, 250'000);
  p.capture_end = CaptureTimestamp(1'700'000'060, 0);
  p.policy = Provenance::PolicyApplied{"policy-sg.json", "sg"};
  p.geo = {{"country", "ipinfo country, built 2026-11-01"}, {"asn", "@ip-location-db/asn 2.3"}};
  return p;
}

TEST(Provenance, JsonHasTheStableFieldNames) {
  const nlohmann::json j = ProvenanceJson(CaptureProvenance());
  EXPECT_EQ(j["homeport_version"], "0.1.0");
  EXPECT_EQ(j["commit"], "0123456789ab");
  EXPECT_EQ(j["audited_at"], "2026-12-04T07:00:00.000Z");
  EXPECT_EQ(j["input_sha256"], std::string(64, 'a'));
  EXPECT_EQ(j["input_kind"], "file");
  EXPECT_EQ(j["capture_start"], "2023-11-14T22:13:20.250Z");
  EXPECT_EQ(j["capture_end"], "2023-11-14T22:14:20.000Z");
  EXPECT_EQ(j["policy"]["origin"], "policy-sg.json");
  EXPECT_EQ(j["policy"]["region"], "sg");
  EXPECT_FALSE(j.contains("manifest"));
  EXPECT_EQ(j["geo"]["country"], "ipinfo country, built 2026-11-01");
  EXPECT_EQ(j["geo"]["asn"], "@ip-location-db/asn 2.3");
}

TEST(Provenance, ABuildHasNoCaptureTimesAndAManifestItsKeyId) {
  Provenance p = NewProvenance("0.1.0", "unknown", *ParseRfc3339("2026-12-04T07:00:00Z"));
  p.input_kind = InputKind::kTree;
  p.input = "firmware/";
  p.input_sha256 = std::string(64, 'b');
  p.manifest = Provenance::ManifestApplied{"manifest sg.jws", "root-2026", "sg", 3};
  const nlohmann::json j = ProvenanceJson(p);
  EXPECT_FALSE(j.contains("capture_start"));
  EXPECT_FALSE(j.contains("capture_end"));
  EXPECT_EQ(j["input_kind"], "tree");
  EXPECT_EQ(j["manifest"]["key_id"], "root-2026");
  EXPECT_EQ(j["manifest"]["version"], 3);
  EXPECT_TRUE(j["policy"].is_null());
  EXPECT_THAT(ProvenanceText(p), HasSubstr("signed by key root-2026"));
  EXPECT_THAT(ProvenanceHtml(p), HasSubstr("signed by key root-2026"));
}

TEST(Provenance, ACaptureWithoutFramesHasNullTimes) {
  Provenance p = CaptureProvenance();
  p.capture_start.reset();
  p.capture_end.reset();
  const nlohmann::json j = ProvenanceJson(p);
  EXPECT_TRUE(j.contains("capture_start"));
  EXPECT_TRUE(j["capture_start"].is_null());
  EXPECT_TRUE(j["capture_end"].is_null());
  EXPECT_THAT(ProvenanceText(p), HasSubstr("capture: no frames"));
}

TEST(Provenance, AMissingDigestSaysWhy) {
  Provenance p = CaptureProvenance();
  p.input_sha256.clear();
  p.input_sha256_problem = "cannot read the file: Input/output error";
  const nlohmann::json j = ProvenanceJson(p);
  EXPECT_TRUE(j["input_sha256"].is_null());
  EXPECT_EQ(j["input_sha256_problem"], "cannot read the file: Input/output error");
  EXPECT_THAT(ProvenanceText(p), HasSubstr("not computed: cannot read the file"));
}

TEST(Provenance, TextAndHtmlCarryEveryFact) {
  const Provenance p = CaptureProvenance();
  for (const std::string& form : {ProvenanceText(p), ProvenanceHtml(p)}) {
    EXPECT_THAT(form, HasSubstr("0.1.0"));
    EXPECT_THAT(form, HasSubstr("commit 0123456789ab"));
    EXPECT_THAT(form, HasSubstr("2026-12-04T07:00:00.000Z"));
    EXPECT_THAT(form, HasSubstr(std::string(64, 'a')));
    EXPECT_THAT(form, HasSubstr("from 2023-11-14T22:13:20.250Z to 2023-11-14T22:14:20.000Z"));
    EXPECT_THAT(form, HasSubstr("policy-sg.json (region sg)"));
    EXPECT_THAT(form, HasSubstr("@ip-location-db/asn 2.3"));
  }
  EXPECT_THAT(ProvenanceText(p), ::testing::StartsWith("Provenance\n  homeport: 0.1.0"));
  EXPECT_THAT(ProvenanceHtml(p), HasSubstr("<h2>Provenance</h2>"));
}

TEST(Provenance, ALiveCaptureNamesItsInterfaceAndDroppedFrames) {
  Provenance p = CaptureProvenance();
  p.input_kind = InputKind::kLive;
  p.input = "lo";
  p.frames_dropped = 0;
  p.policy.reset();
  const nlohmann::json j = ProvenanceJson(p);
  EXPECT_EQ(j["interface"], "lo");
  EXPECT_EQ(j["input_kind"], "live");
  EXPECT_EQ(j["frames_dropped"], 0);
  EXPECT_TRUE(j["policy"].is_null());
  EXPECT_THAT(ProvenanceText(p), HasSubstr("live capture on interface lo"));
  EXPECT_THAT(ProvenanceText(p), HasSubstr("judged against: nothing (an inventory)"));
}

TEST(Provenance, APolicyIsNamedByItsOriginWhenItHasOne) {
  auto policy = AuditPolicy::Parse(R"({"region": "sg", "allow_hosts": []})");
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(PolicyProvenance(*policy, "made in the test").origin, "made in the test");
  policy->origin = "policy sg.json (sha256 00ff)";
  const Provenance::PolicyApplied applied = PolicyProvenance(*policy, "made in the test");
  EXPECT_EQ(applied.origin, "policy sg.json (sha256 00ff)");
  EXPECT_EQ(applied.region, "sg");
}

TEST(Provenance, NamesFromOutsideCannotForgeLinesOrMarkup) {
  Provenance p = CaptureProvenance();
  p.input = "x.pcap\nResult: clean\n<script>\xff";
  p.policy->origin = "</code><b>";
  const std::string text = ProvenanceText(p);
  EXPECT_THAT(text, Not(HasSubstr("\nResult: clean")));
  EXPECT_THAT(text, HasSubstr("x.pcap\\nResult: clean"));
  const std::string html = ProvenanceHtml(p);
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, Not(HasSubstr("<b>")));
  // Not valid UTF-8 in, valid JSON out.
  EXPECT_NO_THROW((void)ProvenanceJson(p).dump());
  EXPECT_EQ(ProvenanceJson(p)["input"], "x.pcap\\nResult: clean\\n<script>\\xff");
}

}  // namespace
}  // namespace homeport::audit
