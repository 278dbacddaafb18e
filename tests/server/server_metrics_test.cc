// ServerMetrics as Prometheus reads it: the gauges the alerting rules of deploy/prometheus are
// written against (backlogs and their bounds, retention, the access log's chain) say what the
// server set, and every sample belongs to a family announced with HELP and TYPE.
#include "server/server_metrics.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <sstream>

namespace homeport {
namespace {

// The value of the unlabelled sample `name`; "" when it is not exported.
std::string Sample(const ServerMetrics& metrics, const std::string& name) {
  std::string text = "\n" + metrics.Render();
  size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return "";
  at += name.size() + 2;
  return text.substr(at, text.find('\n', at) - at);
}

TEST(ServerMetrics, ExportsTheBacklogsWithTheBoundsTheyAreJudgedAgainst) {
  ServerMetrics metrics;
  metrics.SetQueueDepth(12);
  metrics.SetQueueCapacity(16384);
  metrics.SetIngestLogBytes(4096);
  metrics.SetIngestLogMaxBytes(uint64_t{1} << 30);
  EXPECT_EQ(Sample(metrics, "homeport_write_queue_depth"), "12");
  EXPECT_EQ(Sample(metrics, "homeport_write_queue_capacity"), "16384");
  EXPECT_EQ(Sample(metrics, "homeport_ingest_log_bytes"), "4096");
  EXPECT_EQ(Sample(metrics, "homeport_ingest_log_max_bytes"), "1073741824");
}

TEST(ServerMetrics, UnloadedBytesAreReadFromTheLoaderAtEachScrape) {
  ServerMetrics metrics;
  EXPECT_EQ(Sample(metrics, "homeport_ingest_unloaded_bytes"), "0") << "no ingest log yet";
  std::atomic<uint64_t> unloaded{70'000};
  std::atomic<int> reads{0};
  metrics.SetIngestUnloadedBytesSource([&] {
    ++reads;
    return unloaded.load();
  });
  EXPECT_EQ(Sample(metrics, "homeport_ingest_unloaded_bytes"), "70000");
  unloaded = 0;  // the loader caught up
  EXPECT_EQ(Sample(metrics, "homeport_ingest_unloaded_bytes"), "0");
  EXPECT_EQ(reads.load(), 2);
  metrics.SetIngestUnloadedBytesSource({});  // the loader is gone
  EXPECT_EQ(Sample(metrics, "homeport_ingest_unloaded_bytes"), "0");
  EXPECT_EQ(reads.load(), 2);
}

TEST(ServerMetrics, RetentionGaugesSayWhenAPassLastSucceeded) {
  ServerMetrics metrics;
  EXPECT_EQ(Sample(metrics, "homeport_retention_interval_seconds"), "0") << "retention is off";
  EXPECT_EQ(Sample(metrics, "homeport_retention_last_run_timestamp_seconds"), "0.000");
  metrics.SetRetentionInterval(std::chrono::hours(1));
  // 2027-01-20T03:00:00.250Z
  metrics.SetRetentionLastSuccess(TimePoint(std::chrono::milliseconds(1'800'414'000'250)));
  EXPECT_EQ(Sample(metrics, "homeport_retention_interval_seconds"), "3600");
  EXPECT_EQ(Sample(metrics, "homeport_retention_last_run_timestamp_seconds"), "1800414000.250");
}

TEST(ServerMetrics, AccessLogChainIsExportedOnlyOnceItWasRead) {
  ServerMetrics metrics;
  EXPECT_EQ(metrics.Render().find("homeport_access_log_chain_verified"), std::string::npos);
  metrics.SetAccessLogChainVerified(true);
  EXPECT_EQ(Sample(metrics, "homeport_access_log_chain_verified"), "1");
  metrics.SetAccessLogChainVerified(false);
  EXPECT_EQ(Sample(metrics, "homeport_access_log_chain_verified"), "0");
}

TEST(ServerMetrics, EverySampleBelongsToAFamilyWithHelpAndType) {
  ServerMetrics metrics;
  metrics.CountRequest("/v1/activations", 201);
  metrics.CountWrongRegion("cn", "global");
  metrics.CountPing("homeport-agent", "diagnostics", "stored");
  metrics.SetAccessLogChainVerified(true);
  std::set<std::string> helped, typed;
  std::map<std::string, std::string> type_of;
  std::istringstream lines(metrics.Render());
  for (std::string line; std::getline(lines, line);) {
    ASSERT_FALSE(line.empty());
    std::istringstream words(line);
    std::string first, second, third;
    words >> first >> second >> third;
    if (first == "#") {
      ASSERT_TRUE(second == "HELP" || second == "TYPE") << line;
      (second == "HELP" ? helped : typed).insert(third);
      if (second == "TYPE") words >> type_of[third];
      continue;
    }
    std::string name = first.substr(0, first.find('{'));
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string s = suffix;
      if (name.size() > s.size() && name.ends_with(s) &&
          type_of.count(name.substr(0, name.size() - s.size())) &&
          type_of[name.substr(0, name.size() - s.size())] == "histogram") {
        family = name.substr(0, name.size() - s.size());
      }
    }
    EXPECT_TRUE(helped.count(family)) << "no HELP before " << line;
    EXPECT_TRUE(typed.count(family)) << "no TYPE before " << line;
  }
  EXPECT_EQ(helped, typed);
}

}  // namespace
}  // namespace homeport
