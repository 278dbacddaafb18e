// Retention (S6): documents go when their ping's retention has passed; a metric declared with
// a shorter retention than its ping loses its value earlier, the rest of the document staying.
// Run periodically by `homeport serve` and on demand by `homeport retention run`. The periodic
// pass also re-reads the operator access log and verifies its hash chain (S7), and leaves both
// outcomes in /metrics for the alerts in deploy/prometheus.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "schema/schema_registry.h"
#include "server/server_metrics.h"
#include "store/store.h"

namespace homeport {

struct RetentionReport {
  int64_t documents_removed = 0;
  int64_t metric_values_removed = 0;  // documents from which a short-lived metric was removed
};

Result<RetentionReport> RunRetention(RetentionStore& store, const schema::SchemaRegistry& schemas,
                                     TimePoint now);

// The "app/ping" pairs the store holds documents of that `schemas` does not declare. Their
// metrics' shorter retention cannot be applied without the schema, so `homeport retention run`
// refuses to pass over them silently.
Result<std::vector<std::string>> PingsWithoutSchema(OperatorReads& store,
                                                    const schema::SchemaRegistry& schemas);

// Reads the operator access log and verifies its hash chain. The outcome goes to `metrics`
// (homeport_access_log_chain_verified; `metrics` may be null) and, when the chain is broken, to
// the log as an error. A log that cannot be read (the database away) proves nothing either way:
// the gauge keeps its value and a warning is logged. Returns the read's or the chain's error.
Status CheckAccessLogChain(OperatorReads& store, ServerMetrics* metrics);

// The server's periodic pass: RunRetention at start and then every `interval`, on its own
// thread, with the day taken from `env` (so a test can move the clock). After each pass the
// access log's chain is checked (CheckAccessLogChain); `metrics`, when given, gets the interval
// at once and the time of each successful pass (homeport_retention_*). Each pass's outcome then
// goes to `on_pass`, called on that thread. Destruction stops the thread, waiting for a pass
// in progress.
class PeriodicRetention {
 public:
  using PassCallback = std::function<void(const Result<RetentionReport>&)>;
  // `interval` must be positive. Store, schemas, env and metrics (if not null) must outlive
  // this object.
  PeriodicRetention(Store& store, const schema::SchemaRegistry& schemas, Env* env,
                    std::chrono::milliseconds interval, ServerMetrics* metrics,
                    PassCallback on_pass);
  ~PeriodicRetention();

  PeriodicRetention(const PeriodicRetention&) = delete;
  PeriodicRetention& operator=(const PeriodicRetention&) = delete;

 private:
  void Run();

  Store& store_;
  const schema::SchemaRegistry& schemas_;
  Env* env_;
  const std::chrono::milliseconds interval_;
  ServerMetrics* const metrics_;
  const PassCallback on_pass_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace homeport
