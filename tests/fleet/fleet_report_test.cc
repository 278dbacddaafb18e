// The run summary: errors by status and code, and the JSON the benchmark reads.
#include "fleet/fleet_report.h"

#include <gtest/gtest.h>

namespace homeport::fleet {
namespace {

FleetReport Sample() {
  FleetReport r;
  r.devices = 200;
  r.concurrency = 16;
  r.region = "sg";
  r.activation_url = r.uxp_url = "http://127.0.0.1:8080";
  r.elapsed_seconds = 2;
  r.requests = 500;
  for (int i = 1; i <= 500; ++i) {
    r.latency.Record(std::chrono::microseconds(i * 100));
    r.kind(i <= 200 ? RequestKind::kActivation : RequestKind::kBaseline)
        .latency.Record(std::chrono::microseconds(i * 100));
  }
  r.kind(RequestKind::kActivation).ok = 200;
  r.activated = 150;
  r.already_activated = 50;
  r.kind(RequestKind::kBaseline).ok = 100;
  r.kind(RequestKind::kFeedback).failed = 2;
  r.errors[{429, "rate_limited"}] = {.count = 7, .retried = 7, .gave_up = 0};
  r.errors[{0, "connect: Connection refused"}] = {.count = 2, .retried = 0, .gave_up = 2};
  return r;
}

TEST(FleetReport, TextNamesEveryErrorAndTheFailure) {
  std::string text = FormatReport(Sample());
  EXPECT_NE(text.find("250 requests/s"), std::string::npos) << text;
  EXPECT_NE(text.find("HTTP 429 rate_limited"), std::string::npos) << text;
  EXPECT_NE(text.find("connect: Connection refused"), std::string::npos) << text;
  EXPECT_NE(text.find("p99 49."), std::string::npos) << text;
  EXPECT_NE(text.find("200 ok (150 new, 50 already known"), std::string::npos) << text;
  EXPECT_NE(text.find("FAILED: 2 requests"), std::string::npos) << text;
}

TEST(FleetReport, CleanRunSaysNoErrors) {
  FleetReport r = Sample();
  r.errors.clear();
  r.kind(RequestKind::kFeedback).failed = 0;
  EXPECT_EQ(r.failed(), 0);
  std::string text = FormatReport(r);
  EXPECT_NE(text.find("errors                  none"), std::string::npos) << text;
  EXPECT_EQ(text.find("FAILED"), std::string::npos) << text;
}

TEST(FleetReport, JsonCarriesThroughputLatencyAndErrorsByCode) {
  nlohmann::json j = ReportJson(Sample());
  EXPECT_EQ(j["requests"], 500);
  EXPECT_DOUBLE_EQ(j["requests_per_s"].get<double>(), 250);
  EXPECT_NEAR(j["latency_ms"]["p50"].get<double>(), 25.0, 0.25);
  EXPECT_NEAR(j["latency_ms"]["p99"].get<double>(), 49.5, 0.5);
  EXPECT_DOUBLE_EQ(j["latency_ms"]["max"].get<double>(), 50.0);
  EXPECT_TRUE(j["rate"].is_null());
  EXPECT_EQ(j["failed"], 2);
  EXPECT_EQ(j["requests_by_kind"]["activation"]["ok"], 200);
  EXPECT_EQ(j["requests_by_kind"]["deletion-request"]["ok"], 0);
  // Each kind has its own latency: activations were the fast fifth here.
  EXPECT_NEAR(j["requests_by_kind"]["activation"]["latency_ms"]["max"].get<double>(), 20, 0.01);
  EXPECT_NEAR(j["requests_by_kind"]["baseline"]["latency_ms"]["p50"].get<double>(), 35, 0.5);
  EXPECT_EQ(j["requests_by_kind"]["feedback"]["latency_ms"]["p99"], 0);
  ASSERT_EQ(j["errors"].size(), 2u);
  // Connection failures (status 0) sort first.
  EXPECT_EQ(j["errors"][0]["status"], 0);
  EXPECT_EQ(j["errors"][0]["gave_up"], 2);
  EXPECT_EQ(j["errors"][1]["status"], 429);
  EXPECT_EQ(j["errors"][1]["code"], "rate_limited");
  EXPECT_EQ(j["errors"][1]["retried"], 7);
}

TEST(FleetReport, ProgressIsOneLine) {
  std::string line = ProgressLine(Sample());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find("activated 200/200"), std::string::npos) << line;
  EXPECT_NE(line.find("errors 9"), std::string::npos) << line;
}

}  // namespace
}  // namespace homeport::fleet
