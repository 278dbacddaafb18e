// The pieces of a Glean document: UUIDv4 document and client ids, Glean's datetime forms, the
// Date header, gzip, client_info's contents, and per-type metric values with Glean's limits.
#include "agent/glean_document.h"

#include <gtest/gtest.h>

#include <set>

#include "agent/uxp_recorded_metrics.h"
#include "agent/uxp_schema.h"
#include "uxp_test_support.h"

namespace homeport {
namespace {

using agent_testing::FakeEnv;
using agent_testing::Gunzip;
using nlohmann::json;

Env::TimePoint At(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

TEST(GleanDocument, UuidsAreVersion4AndDistinct) {
  FakeEnv env;
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string id = agent::NewUuidV4(env);
    EXPECT_TRUE(agent::IsUuidV4(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
  env.fixed_random = ~uint64_t{0};
  EXPECT_EQ(agent::NewUuidV4(env), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  env.fixed_random = 0;
  EXPECT_EQ(agent::NewUuidV4(env), "00000000-0000-4000-8000-000000000000");
  EXPECT_FALSE(agent::IsUuidV4("00000000-0000-1000-8000-000000000000"));  // version 1
  EXPECT_FALSE(agent::IsUuidV4("00000000-0000-4000-c000-000000000000"));  // wrong variant
  EXPECT_FALSE(agent::IsUuidV4("00000000-0000-4000-8000-00000000000A"));  // upper case
  EXPECT_FALSE(agent::IsUuidV4("00000000000040008000000000000000"));
}

TEST(GleanDocument, DatetimesUseGleansPrecisions) {
  Env::TimePoint t = At(2026, 11, 29, 13, 24, 59) + std::chrono::milliseconds(999);
  EXPECT_EQ(agent::GleanMinuteTime(t), "2026-11-29T13:24+00:00");
  EXPECT_EQ(agent::GleanDate(t), "2026-11-29+00:00");
  EXPECT_EQ(agent::HttpDate(t), "Sun, 29 Nov 2026 13:24:59 GMT");
  EXPECT_EQ(agent::HttpDate(At(2026, 1, 5, 0, 0, 0)), "Mon, 05 Jan 2026 00:00:00 GMT");
}

TEST(GleanDocument, ClientInfoDescribesSoftwareNotTheDevice) {
  DeviceProfile p;
  p.serial = "HP7P-000123";
  p.model = "HP7P";
  p.sku = "TA-1046";
  p.client_version = "1.2.3";
  p.batch = "B1";
  json info = agent::ClientInfo(p, "", "2026-01-15+00:00");
  EXPECT_FALSE(info.contains("client_id"));
  EXPECT_EQ(info["app_build"], "1.2.3");
  EXPECT_EQ(info["telemetry_sdk_build"], std::string(agent::AgentLibraryVersion()));
  const std::string text = info.dump();
  for (const char* never : {"HP7P-000123", "TA-1046", "serial", "sku", "imei", "mac"}) {
    EXPECT_EQ(text.find(never), std::string::npos) << never;
  }
}

TEST(GleanDocument, UploadRequestJoinsUrlAndGzipsBody) {
  auto r = agent::BuildUploadRequest("https://uxp.example/eu/", "/submit/homeport-agent/x/1/id",
                                     "{\"a\":1}", At(2026, 1, 15, 9, 0, 0));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->url, "https://uxp.example/eu/submit/homeport-agent/x/1/id");
  EXPECT_EQ(Gunzip(r->body), "{\"a\":1}");
  EXPECT_EQ(agent_testing::Header(*r, "X-Telemetry-Agent").rfind("homeport-agent/", 0), 0u);
}

TEST(MetricValues, ParsePerGleanType) {
  const agent::UxpMetric* crash = agent::FindUxpMetric("diagnostics.crash_count");
  const agent::UxpMetric* boot = agent::FindUxpMetric("diagnostics.boot_time");
  const agent::UxpMetric* text = agent::FindUxpMetric("feedback.text");
  ASSERT_TRUE(crash && boot && text);
  EXPECT_EQ(*agent::ParseMetricValue(*crash, "99999999999"), json(agent::kMaxCounterValue));
  EXPECT_TRUE(agent::ParseMetricValue(*crash, "+1").status().IsInvalidArgument());
  EXPECT_TRUE(agent::ParseMetricValue(*crash, "").status().IsInvalidArgument());
  EXPECT_EQ(*agent::ParseMetricValue(*boot, "1500"),
            json::parse(R"({"time_unit": "millisecond", "value": 1500})"));
  EXPECT_EQ(*agent::ParseMetricValue(*text, "grüße"), json("grüße"));
  EXPECT_TRUE(agent::ParseMetricValue(*text, std::string(agent::kMaxTextBytes + 1, 'a'))
                  .status()
                  .IsInvalidArgument());
  agent::UxpMetric seconds = *boot;
  seconds.time_unit = "second";
  EXPECT_EQ((*agent::ParseMetricValue(seconds, "2500"))["value"], 2);
}

TEST(MetricValues, CountersAddSaturatingAndEventsAreRelative) {
  agent::RecordedMetrics m;
  Env::TimePoint t = At(2026, 1, 15, 9, 0, 0);
  ASSERT_TRUE(m.Record("diagnostics.crash_count", "2147483000", t).ok());
  ASSERT_TRUE(m.Record("diagnostics.crash_count", "1000", t).ok());
  ASSERT_TRUE(m.Record("diagnostics.thermal_shutdown", "", t + std::chrono::seconds(3)).ok());
  ASSERT_TRUE(m.Record("diagnostics.thermal_shutdown", "while_charging=true", t).ok());
  EXPECT_EQ(m.PingMetrics()["counter"]["diagnostics.crash_count"], agent::kMaxCounterValue);
  json events = m.PingEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["timestamp"], 0);
  EXPECT_EQ(events[0]["extra"]["while_charging"], "true");
  EXPECT_EQ(events[1]["timestamp"], 3000);
  EXPECT_FALSE(events[1].contains("extra"));

  auto reread = agent::RecordedMetrics::Parse(m.Serialize());
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread->PingMetrics(), m.PingMetrics());
  EXPECT_TRUE(agent::RecordedMetrics::Parse("{\"metrics\": 1}").status().IsCorruption());
}

}  // namespace
}  // namespace homeport
