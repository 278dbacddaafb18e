// Prometheus text rendering of the server's counters and histograms.
#include "server/server_metrics.h"

#include <fmt/format.h>

namespace homeport {
namespace {

// Label values are escaped as the exposition format requires.
std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Histogram::Observe(double v) {
  std::lock_guard lock(mu_);
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += v;
  ++total_;
}

void Histogram::Render(std::string& out, const std::string& name) const {
  std::lock_guard lock(mu_);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, bounds_[i], cumulative);
  }
  out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n", name, total_, name,
                     sum_, name, total_);
}

void ServerMetrics::CountRequest(const std::string& route, int status) {
  std::lock_guard lock(mu_);
  ++requests_[{route, status}];
}

void ServerMetrics::CountActivation(RecordOutcome outcome) {
  ++activations_[static_cast<size_t>(outcome)];
}

WrongRegionAttempt ServerMetrics::CountWrongRegion(std::string_view claimed_region,
                                                   std::string_view variant) {
  std::lock_guard lock(mu_);
  auto key = wrong_region_labels_.Label(claimed_region, variant);
  ++wrong_region_[key];
  ++wrong_region_unstored_[key];
  return {key.first, key.second, 1};
}

std::vector<WrongRegionAttempt> ServerMetrics::TakeWrongRegionTally() {
  std::map<std::pair<std::string, std::string>, int64_t> taken;
  {
    std::lock_guard lock(mu_);
    taken.swap(wrong_region_unstored_);
  }
  std::vector<WrongRegionAttempt> out;
  out.reserve(taken.size());
  for (auto& [key, n] : taken) out.push_back({key.first, key.second, n});
  return out;
}

void ServerMetrics::ReturnWrongRegionTally(const std::vector<WrongRegionAttempt>& counts) {
  std::lock_guard lock(mu_);
  for (const auto& c : counts) wrong_region_unstored_[{c.claimed_region, c.variant}] += c.attempts;
}

void ServerMetrics::CountPing(const std::string& app_id, const std::string& ping,
                              const std::string& outcome) {
  std::lock_guard lock(mu_);
  ++pings_[{app_id, ping, outcome}];
}

void ServerMetrics::CountScrubbed(const std::map<privacy::IdentifierKind, int>& replaced) {
  std::lock_guard lock(mu_);
  for (const auto& [kind, n] : replaced) scrubbed_[privacy::NameOf(kind)] += static_cast<uint64_t>(n);
}

void ServerMetrics::SetIngestUnloadedBytesSource(std::function<uint64_t()> source) {
  std::lock_guard lock(mu_);
  unloaded_bytes_ = std::move(source);
}

void ServerMetrics::SetRetentionLastSuccess(TimePoint at) {
  retention_last_success_ = std::chrono::duration<double>(at.time_since_epoch()).count();
}

void ServerMetrics::ObserveCommit(size_t batch_size, std::chrono::nanoseconds latency, bool ok) {
  batch_size_.Observe(static_cast<double>(batch_size));
  commit_latency_.Observe(std::chrono::duration<double>(latency).count());
  if (!ok) ++commits_failed_;
}

std::string ServerMetrics::Render() const {
  std::string out;
  out += "# HELP homeport_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE homeport_http_requests_total counter\n";
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, n] : requests_) {
      out += fmt::format("homeport_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                         Escape(key.first), key.second, n);
    }
  }
  out += "# HELP homeport_activations_total Committed activations, by outcome.\n";
  out += "# TYPE homeport_activations_total counter\n";
  static const char* kOutcomes[] = {"created", "repeated", "checked_in", "stale", "revoked"};
  static_assert(std::size(kOutcomes) == std::tuple_size_v<decltype(activations_)>);
  for (size_t i = 0; i < std::size(kOutcomes); ++i) {
    out += fmt::format("homeport_activations_total{{outcome=\"{}\"}} {}\n", kOutcomes[i],
                       activations_[i].load());
  }
  out += "# HELP homeport_wrong_region_attempts_total Activations refused because they named "
         "another region (nothing of them is stored).\n";
  out += "# TYPE homeport_wrong_region_attempts_total counter\n";
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, n] : wrong_region_) {
      out += fmt::format(
          "homeport_wrong_region_attempts_total{{claimed_region=\"{}\",variant=\"{}\"}} {}\n",
          Escape(key.first), Escape(key.second), n);
    }
  }
  out += "# HELP homeport_uxp_pings_total UX-program pings, by app, ping and outcome.\n";
  out += "# TYPE homeport_uxp_pings_total counter\n";
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, n] : pings_) {
      out += fmt::format("homeport_uxp_pings_total{{app=\"{}\",ping=\"{}\",outcome=\"{}\"}} {}\n",
                         Escape(std::get<0>(key)), Escape(std::get<1>(key)), std::get<2>(key), n);
    }
  }
  out += "# HELP homeport_scrubbed_identifiers_total Identifiers replaced by tags in free text "
         "before storage, by kind.\n";
  out += "# TYPE homeport_scrubbed_identifiers_total counter\n";
  {
    std::lock_guard lock(mu_);
    for (const auto& [kind, n] : scrubbed_) {
      out += fmt::format("homeport_scrubbed_identifiers_total{{kind=\"{}\"}} {}\n", kind, n);
    }
  }
  out += "# HELP homeport_commit_batch_size Records per group commit.\n";
  out += "# TYPE homeport_commit_batch_size histogram\n";
  batch_size_.Render(out, "homeport_commit_batch_size");
  out += "# HELP homeport_commit_latency_seconds Time to commit one batch durably.\n";
  out += "# TYPE homeport_commit_latency_seconds histogram\n";
  commit_latency_.Render(out, "homeport_commit_latency_seconds");
  out += "# HELP homeport_commit_failures_total Group commits that failed (answered 503).\n";
  out += "# TYPE homeport_commit_failures_total counter\n";
  out += fmt::format("homeport_commit_failures_total {}\n", commits_failed_.load());
  out += "# HELP homeport_write_queue_depth Writes waiting for the group-commit writer.\n";
  out += "# TYPE homeport_write_queue_depth gauge\n";
  out += fmt::format("homeport_write_queue_depth {}\n", queue_depth_.load());
  out += "# HELP homeport_write_queue_capacity Writes the queue takes before refusing (--queue).\n";
  out += "# TYPE homeport_write_queue_capacity gauge\n";
  out += fmt::format("homeport_write_queue_capacity {}\n", queue_capacity_.load());
  out += "# HELP homeport_ingest_log_bytes Bytes the ingest log holds, loaded or not.\n";
  out += "# TYPE homeport_ingest_log_bytes gauge\n";
  out += fmt::format("homeport_ingest_log_bytes {}\n", ingest_log_bytes_.load());
  out += "# HELP homeport_ingest_log_max_bytes Bytes the ingest log may hold before pings are "
         "refused (--ingest-log-max-bytes).\n";
  out += "# TYPE homeport_ingest_log_max_bytes gauge\n";
  out += fmt::format("homeport_ingest_log_max_bytes {}\n", ingest_log_max_bytes_.load());
  std::function<uint64_t()> unloaded;
  {
    std::lock_guard lock(mu_);
    unloaded = unloaded_bytes_;
  }
  // Read outside mu_: the loader takes its own locks, and may update the gauges above meanwhile.
  out += "# HELP homeport_ingest_unloaded_bytes Durable bytes of the ingest log not yet loaded "
         "into the store.\n";
  out += "# TYPE homeport_ingest_unloaded_bytes gauge\n";
  out += fmt::format("homeport_ingest_unloaded_bytes {}\n", unloaded ? unloaded() : 0);
  out += "# HELP homeport_ingest_load_failures_total Loads of the ingest log into the store"
         " that failed and were tried again.\n";
  out += "# TYPE homeport_ingest_load_failures_total counter\n";
  out += fmt::format("homeport_ingest_load_failures_total {}\n", load_failures_.load());
  out += "# HELP homeport_http_connections_open Client connections open now.\n";
  out += "# TYPE homeport_http_connections_open gauge\n";
  out += fmt::format("homeport_http_connections_open {}\n", open_connections_.load());
  out += "# HELP homeport_http_connections_max The --max-connections cap in force.\n";
  out += "# TYPE homeport_http_connections_max gauge\n";
  out += fmt::format("homeport_http_connections_max {}\n", max_connections_.load());
  out +=
      "# HELP homeport_http_connections_cut_total Connections the server closed itself to "
      "bound its resources, by reason.\n";
  out += "# TYPE homeport_http_connections_cut_total counter\n";
  static const char* kCutReasons[kConnectionCuts] = {"refused_at_cap", "idle_evicted",
                                                     "header_timeout", "body_timeout",
                                                     "idle_timeout",   "malformed"};
  for (size_t i = 0; i < kConnectionCuts; ++i) {
    out += fmt::format("homeport_http_connections_cut_total{{reason=\"{}\"}} {}\n", kCutReasons[i],
                       connection_cuts_[i].load());
  }
  out += "# HELP homeport_retention_interval_seconds Seconds between this process's retention "
         "passes (--retention-interval; 0: none).\n";
  out += "# TYPE homeport_retention_interval_seconds gauge\n";
  out += fmt::format("homeport_retention_interval_seconds {}\n", retention_interval_.load());
  out += "# HELP homeport_retention_last_run_timestamp_seconds When this process's last "
         "retention pass succeeded (0: none has yet).\n";
  out += "# TYPE homeport_retention_last_run_timestamp_seconds gauge\n";
  out += fmt::format("homeport_retention_last_run_timestamp_seconds {:.3f}\n",
                     retention_last_success_.load());
  if (int chain = access_log_chain_.load(); chain >= 0) {
    out += "# HELP homeport_access_log_chain_verified 1 when the operator access log's hash "
           "chain verified at its last reading, 0 when it did not.\n";
    out += "# TYPE homeport_access_log_chain_verified gauge\n";
    out += fmt::format("homeport_access_log_chain_verified {}\n", chain);
  }
  return out;
}

}  // namespace homeport
