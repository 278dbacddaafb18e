// The retention pass over every registered app, ping and metric.
#include "server/retention.h"

#include <spdlog/spdlog.h>

namespace homeport {

Result<RetentionReport> RunRetention(RetentionStore& store, const schema::SchemaRegistry& schemas,
                                     TimePoint now) {
  RetentionReport report;
  // Whole documents first: one failing metric pass must not keep expired documents.
  HOMEPORT_ASSIGN_OR_RETURN(report.documents_removed, store.ExpireDocuments(FormatDate(now)));
  Status first_error;
  for (const auto& [app_id, app] : schemas.apps()) {
    for (const auto& [ping_name, ping] : app.pings) {
      for (const auto& [name, metric] : app.metrics) {
        // Events travel in the "events" array and keep their ping's retention.
        if (metric.type == schema::MetricType::kEvent || !metric.SentIn(ping_name) ||
            metric.retention_days >= ping.retention_days) {
          continue;
        }
        std::string cutoff = FormatDate(now - std::chrono::days(metric.retention_days));
        auto n = store.ExpireMetric(app_id, ping_name,
                                    std::string(schema::MetricTypeName(metric.type)), name, cutoff);
        if (n.ok()) {
          report.metric_values_removed += *n;
        } else if (first_error.ok()) {
          first_error = n.status().WithContext(app_id + "/" + ping_name + " " + name);
        }
      }
    }
  }
  if (!first_error.ok()) return first_error;
  // Operators see when retention last ran (the console's storage panel, homeport stats).
  HOMEPORT_RETURN_IF_ERROR(store.RecordRetentionRun(
      {FormatRfc3339(now), report.documents_removed, report.metric_values_removed}));
  return report;
}

Result<std::vector<std::string>> PingsWithoutSchema(OperatorReads& store,
                                                    const schema::SchemaRegistry& schemas) {
  HOMEPORT_ASSIGN_OR_RETURN(auto counts, store.DocumentCounts());
  std::vector<std::string> missing;
  for (const auto& [app_and_ping, n] : counts) {
    size_t slash = app_and_ping.find('/');
    const schema::AppSchema* app = schemas.Find(app_and_ping.substr(0, slash));
    if (app == nullptr || slash == std::string::npos ||
        app->pings.count(app_and_ping.substr(slash + 1)) == 0) {
      missing.push_back(app_and_ping);
    }
  }
  return missing;
}

Status CheckAccessLogChain(OperatorReads& store, ServerMetrics* metrics) {
  auto log = store.AccessLog();
  if (!log.ok()) {
    spdlog::warn("access log: could not read it to verify its hash chain: {}",
                 log.status().ToString());
    return log.status();
  }
  Status chain = VerifyAccessLogChain(*log);
  if (metrics) metrics->SetAccessLogChainVerified(chain.ok());
  if (!chain.ok()) {
    spdlog::error("access log: the hash chain does not verify, entries were changed or removed: {}",
                  chain.ToString());
  }
  return chain;
}

PeriodicRetention::PeriodicRetention(Store& store, const schema::SchemaRegistry& schemas, Env* env,
                                     std::chrono::milliseconds interval, ServerMetrics* metrics,
                                     PassCallback on_pass)
    : store_(store),
      schemas_(schemas),
      env_(env),
      interval_(interval),
      metrics_(metrics),
      on_pass_(std::move(on_pass)) {
  if (metrics_) metrics_->SetRetentionInterval(interval_);
  thread_ = std::thread([this] { Run(); });  // last: Run reads every member above
}

PeriodicRetention::~PeriodicRetention() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void PeriodicRetention::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    auto report = RunRetention(store_, schemas_, env_->Now());
    if (report.ok() && metrics_) metrics_->SetRetentionLastSuccess(env_->Now());
    (void)CheckAccessLogChain(store_, metrics_);  // it logs what an operator must know
    if (on_pass_) on_pass_(report);
    lock.lock();
    cv_.wait_for(lock, interval_, [this] { return stop_; });
  }
}

}  // namespace homeport
