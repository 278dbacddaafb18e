// The server's Prometheus metrics: requests by route and status, activation outcomes,
// wrong-region attempts by claimed region and variant (also tallied here until the store
// gets them as aggregates), commit batch sizes and latencies, the backlogs and their bounds,
// and the state of retention and of the operator access log's hash chain. The alerting rules
// and the dashboard in deploy/ are written against these names (MonitoringE2E checks them).
// Thread-safe; Render() gives the Prometheus text exposition format (version 0.0.4).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "privacy/identifier_kind.h"
#include "server/wrong_region_labels.h"
#include "store/store.h"

namespace homeport {

// A cumulative histogram with fixed upper bounds, as Prometheus expects.
class Histogram {
 public:
  static constexpr std::array<double, 12> kLatencyBoundsSeconds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  static constexpr std::array<double, 12> kBatchSizeBounds = {1,  2,   4,   8,   16,   32,
                                                              64, 128, 256, 512, 1024, 4096};

  explicit Histogram(const std::array<double, 12>& bounds) : bounds_(bounds) {}
  void Observe(double v);
  void Render(std::string& out, const std::string& name) const;

 private:
  const std::array<double, 12>& bounds_;
  mutable std::mutex mu_;
  std::array<uint64_t, 13> counts_{};  // last: above every bound
  double sum_ = 0;
  uint64_t total_ = 0;
};

class ServerMetrics {
 public:
  explicit ServerMetrics(WrongRegionLabelOptions wrong_region_labels = {})
      : wrong_region_labels_(std::move(wrong_region_labels)) {}

  void CountRequest(const std::string& route, int status);
  void CountActivation(RecordOutcome outcome);
  // Counts a refused activation under the labels WrongRegionLabels gives its claim, in
  // /metrics and in the tally waiting to be stored. Returns the labels counted.
  WrongRegionAttempt CountWrongRegion(std::string_view claimed_region, std::string_view variant);
  // The refusals counted since the last call, one aggregate per label pair, and a fresh tally.
  // Memory is bounded by the label rule, however many refusals arrive between two calls.
  std::vector<WrongRegionAttempt> TakeWrongRegionTally();
  // Puts aggregates back into the tally, e.g. after their commit failed, so none are lost.
  void ReturnWrongRegionTally(const std::vector<WrongRegionAttempt>& counts);
  void ObserveCommit(size_t batch_size, std::chrono::nanoseconds latency, bool ok);
  void SetQueueDepth(size_t depth) { queue_depth_ = depth; }
  // --queue: the depth at which new writes are refused with 503.
  void SetQueueCapacity(size_t capacity) { queue_capacity_ = capacity; }
  // The ingest log: bytes it holds (segments and appends waiting), and loads into the store
  // that failed (each is tried again).
  void SetIngestLogBytes(uint64_t bytes) { ingest_log_bytes_ = bytes; }
  void CountLoadFailure() { ++load_failures_; }
  // --ingest-log-max-bytes: the log size at which pings are refused with 503.
  void SetIngestLogMaxBytes(uint64_t bytes) { ingest_log_max_bytes_ = bytes; }
  // Where Render() reads the durable log bytes not yet in the store (the loader's
  // UnloadedBytes, as /healthz reports them); 0 while none is set. Whatever `source` reads
  // must outlive this object, or be unset first with an empty function.
  void SetIngestUnloadedBytesSource(std::function<uint64_t()> source);
  // Retention (S6): --retention-interval (0: no periodic pass in this process), and when a
  // pass last succeeded (exported as 0 until one has).
  void SetRetentionInterval(std::chrono::duration<double> interval) {
    retention_interval_ = interval.count();
  }
  void SetRetentionLastSuccess(TimePoint at);
  // Whether the operator access log's hash chain verified when it was last read (S7). Not
  // exported until it has been read once: an unread chain is neither intact nor broken.
  void SetAccessLogChainVerified(bool verified) { access_log_chain_ = verified ? 1 : 0; }
  // UX-program pings by app, ping and outcome (stored, duplicate, erased, rejected).
  void CountPing(const std::string& app_id, const std::string& ping, const std::string& outcome);
  void CountScrubbed(const std::map<privacy::IdentifierKind, int>& replaced);

  // Why the HTTP server closed a connection itself (the bounds of S8 at work).
  enum class ConnectionCut {
    kRefusedAtCap,   // --max-connections reached, every connection busy: 503 and closed
    kIdleEvicted,    // idle (nothing sent yet, or in keep-alive), closed to admit a newcomer
    kHeaderTimeout,  // the request line and headers took longer than --header-timeout
    kBodyTimeout,    // the body (or writing the answer) took longer than --body-timeout
    kIdleTimeout,    // keep-alive, no next request within --idle-timeout
    kMalformed,      // answered 400 or 413 and closed: the message could not be read safely
  };
  static constexpr size_t kConnectionCuts = 6;
  void CountConnectionCut(ConnectionCut why) { ++connection_cuts_[static_cast<size_t>(why)]; }
  void AddOpenConnections(int64_t delta) { open_connections_ += delta; }
  void SetMaxConnections(size_t n) { max_connections_ = n; }

  std::string Render() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  WrongRegionLabels wrong_region_labels_;
  std::map<std::pair<std::string, std::string>, uint64_t> wrong_region_;
  std::map<std::pair<std::string, std::string>, int64_t> wrong_region_unstored_;
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> pings_;
  std::map<std::string, uint64_t> scrubbed_;
  std::array<std::atomic<uint64_t>, 5> activations_{};  // by RecordOutcome
  std::atomic<uint64_t> commits_failed_{0};
  std::atomic<size_t> queue_depth_{0};
  std::atomic<size_t> queue_capacity_{0};
  std::atomic<uint64_t> ingest_log_bytes_{0};
  std::atomic<uint64_t> ingest_log_max_bytes_{0};
  std::atomic<uint64_t> load_failures_{0};
  std::function<uint64_t()> unloaded_bytes_;       // guarded by mu_
  std::atomic<double> retention_interval_{0};      // seconds
  std::atomic<double> retention_last_success_{0};  // seconds since the epoch; 0: never
  std::atomic<int> access_log_chain_{-1};          // 1 verified, 0 broken, -1 not read yet
  std::array<std::atomic<uint64_t>, kConnectionCuts> connection_cuts_{};
  std::atomic<int64_t> open_connections_{0};
  std::atomic<size_t> max_connections_{0};
  Histogram batch_size_{Histogram::kBatchSizeBounds};
  Histogram commit_latency_{Histogram::kLatencyBoundsSeconds};
};

}  // namespace homeport
