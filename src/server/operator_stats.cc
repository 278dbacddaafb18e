// The panels' figures. Every series is one value per day of the window, oldest first.
#include "server/operator_stats.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "crypto/base64.h"
#include "tlog/sha256.h"
#include "server/query_params.h"

namespace homeport {
namespace {

using nlohmann::json;
using std::chrono::days;
using std::chrono::sys_days;

std::optional<sys_days> ParseDay(std::string_view text) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto num = [&](size_t at, size_t n, auto& out) {
    auto r = std::from_chars(text.data() + at, text.data() + at + n, out);
    return r.ec == std::errc() && r.ptr == text.data() + at + n;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return sys_days(ymd);
}

std::string FormatDay(sys_days day) {
  std::chrono::year_month_day ymd(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

// The window: `days` days ending today, and where each day sits in it.
struct Window {
  std::vector<std::string> days;
  std::map<std::string, size_t> index;

  Window(const StatsOptions& o) {
    sys_days today = *ParseDay(o.today);
    for (int i = o.days - 1; i >= 0; --i) {
      days.push_back(FormatDay(today - std::chrono::days(i)));
      index[days.back()] = days.size() - 1;
    }
  }
  const std::string& first() const { return days.front(); }
  std::optional<size_t> At(const std::string& day) const {
    auto it = index.find(day);
    if (it == index.end()) return std::nullopt;
    return it->second;
  }
  std::vector<int64_t> Zeros() const { return std::vector<int64_t>(days.size(), 0); }
};

// A UX-program count as shown: small non-zero counts hide behind the threshold.
json Shown(int64_t n, int64_t min_count) {
  if (n > 0 && n < min_count) return "< " + std::to_string(min_count);
  return n;
}
json ShownSeries(const std::vector<int64_t>& values, int64_t min_count) {
  json out = json::array();
  for (int64_t v : values) out.push_back(Shown(v, min_count));
  return out;
}
int64_t Sum(const std::vector<int64_t>& values) {
  int64_t n = 0;
  for (int64_t v : values) n += v;
  return n;
}

// Per key (its first `width` parts), a series over the window.
template <size_t width>
std::map<std::array<std::string, width>, std::vector<int64_t>> ByKey(
    const std::vector<DailyCount>& rows, const Window& w) {
  std::map<std::array<std::string, width>, std::vector<int64_t>> out;
  for (const auto& r : rows) {
    auto at = w.At(r.day);
    if (!at) continue;
    std::array<std::string, width> key;
    std::copy_n(r.key.begin(), width, key.begin());
    auto [it, fresh] = out.try_emplace(key, w.Zeros());
    it->second[*at] += r.count;
  }
  return out;
}

Result<json> Activations(OperatorReads& store, const StatsOptions& o) {
  Window w(o);
  HOMEPORT_ASSIGN_OR_RETURN(auto activated, store.DailyCounts(daily::kActivations, w.first()));
  HOMEPORT_ASSIGN_OR_RETURN(auto checked_in, store.DailyCounts(daily::kCheckins, w.first()));
  HOMEPORT_ASSIGN_OR_RETURN(RolloutReport rollout, store.Rollout(std::nullopt));
  auto a = ByKey<3>(activated, w);
  auto c = ByKey<3>(checked_in, w);
  std::set<std::array<std::string, 3>> keys;
  for (const auto& [k, v] : a) keys.insert(k);
  for (const auto& [k, v] : c) keys.insert(k);
  json series = json::array();
  int64_t activations = 0, checkins = 0;
  for (const auto& k : keys) {
    auto av = a.count(k) ? a[k] : w.Zeros();
    auto cv = c.count(k) ? c[k] : w.Zeros();
    activations += Sum(av);
    checkins += Sum(cv);
    series.push_back({{"batch", k[0]},
                      {"model", k[1]},
                      {"variant", k[2]},
                      {"activations", av},
                      {"checkins", cv}});
  }
  int64_t devices = 0;
  for (const auto& b : rollout.batches) devices += b.activated;
  return json{{"days", w.days},
              {"series", series},
              {"totals",
               {{"activations", activations},
                {"checkins", checkins},
                {"activated_devices", devices}}}};
}

Result<json> Rollout(OperatorReads& store, const StatsOptions& o) {
  Window w(o);
  HOMEPORT_ASSIGN_OR_RETURN(RolloutReport report, store.Rollout(std::nullopt));
  HOMEPORT_ASSIGN_OR_RETURN(auto deltas, store.DailyCounts(daily::kRollout, ""));
  int64_t target = 0;
  for (const auto& v : report.versions) target = std::max(target, v.manifest_version);
  if (o.target_manifest_version) target = *o.target_manifest_version;

  // Devices per batch and version pair at the end of each day of the window: the net changes
  // up to that day added up.
  using Pair = std::pair<int64_t, std::string>;
  std::map<std::string, std::map<Pair, std::vector<int64_t>>> history;
  for (const auto& d : deltas) {
    if (d.day > w.days.back()) continue;
    int64_t manifest = 0;
    std::from_chars(d.key[1].data(), d.key[1].data() + d.key[1].size(), manifest);
    auto [it, fresh] = history[d.key[0]].try_emplace(Pair{manifest, d.key[2]}, w.Zeros());
    // A change before the window counts from its first day, one inside it from its own day.
    size_t from = d.day < w.first() ? 0 : *w.At(d.day);
    for (size_t i = from; i < w.days.size(); ++i) it->second[i] += d.count;
  }

  json batches = json::array(), below = json::array();
  std::vector<std::pair<double, json>> lagging;
  for (const auto& b : report.batches) {
    json versions = json::array();
    int64_t on_target = 0;
    for (const auto& v : report.versions) {
      if (v.batch != b.batch) continue;
      versions.push_back({{"manifest_version", v.manifest_version},
                          {"client_version", v.client_version},
                          {"devices", v.devices}});
      if (v.manifest_version >= target) on_target += v.devices;
    }
    std::vector<int64_t> activated = w.Zeros();
    std::map<int64_t, std::vector<int64_t>> by_manifest;
    std::map<std::string, std::vector<int64_t>> by_client;
    for (const auto& [pair, series] : history[b.batch]) {
      if (std::all_of(series.begin(), series.end(), [](int64_t n) { return n == 0; })) continue;
      auto& m = by_manifest.try_emplace(pair.first, w.Zeros()).first->second;
      auto& c = by_client.try_emplace(pair.second, w.Zeros()).first->second;
      for (size_t i = 0; i < series.size(); ++i) {
        activated[i] += series[i];
        m[i] += series[i];
        c[i] += series[i];
      }
    }
    json manifests = json::array(), clients = json::array();
    for (const auto& [version, series] : by_manifest) {
      manifests.push_back({{"manifest_version", version}, {"devices", series}});
    }
    for (const auto& [version, series] : by_client) {
      clients.push_back({{"client_version", version}, {"devices", series}});
    }
    const double share =
        b.activated ? static_cast<double>(on_target) / static_cast<double>(b.activated) : 0.0;
    batches.push_back({{"batch", b.batch},
                       {"enrolled", b.enrolled},
                       {"activated", b.activated},
                       {"revoked", b.revoked},
                       {"on_target", share},
                       {"versions", versions},
                       {"history",
                        {{"activated", activated},
                         {"by_manifest", manifests},
                         {"by_client", clients}}}});
    if (b.activated > 0 && share < o.below) {
      lagging.emplace_back(
          share, json{{"batch", b.batch}, {"on_target", share}, {"activated", b.activated}});
    }
  }
  std::stable_sort(lagging.begin(), lagging.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  for (auto& [share, row] : lagging) below.push_back(std::move(row));
  return json{{"days", w.days},
              {"target", {{"manifest_version", target}, {"below", o.below}}},
              {"batches", batches},
              {"below", below}};
}

Result<json> RegionAlarm(OperatorReads& store, const StatsOptions& o) {
  Window w(o);
  HOMEPORT_ASSIGN_OR_RETURN(auto rows, store.DailyCounts(daily::kWrongRegion, ""));
  struct Labels {
    std::vector<int64_t> attempts;
    int64_t total = 0;
    std::string first_seen, last_seen;
  };
  std::map<std::pair<std::string, std::string>, Labels> by_labels;
  int64_t count = 0, in_window = 0;
  std::string first_seen, last_seen;
  for (const auto& r : rows) {
    if (r.count <= 0 || r.day > w.days.back()) continue;
    Labels& l = by_labels[{r.key[0], r.key[1]}];
    if (l.attempts.empty()) l.attempts = w.Zeros();
    if (auto at = w.At(r.day)) {
      l.attempts[*at] += r.count;
      in_window += r.count;
    }
    l.total += r.count;
    count += r.count;
    // Rows come ordered by day.
    if (l.first_seen.empty()) l.first_seen = r.day;
    l.last_seen = r.day;
    if (first_seen.empty()) first_seen = r.day;
    last_seen = r.day;
  }
  json series = json::array();
  for (const auto& [labels, l] : by_labels) {
    series.push_back({{"claimed_region", labels.first},
                      {"variant", labels.second},
                      {"attempts", l.attempts},
                      {"total", l.total},
                      {"first_seen", l.first_seen},
                      {"last_seen", l.last_seen}});
  }
  auto day_or_null = [](const std::string& d) { return d.empty() ? json(nullptr) : json(d); };
  return json{{"days", w.days},
              {"alarm",
               {{"active", in_window > 0},
                {"first_seen", day_or_null(first_seen)},
                {"last_seen", day_or_null(last_seen)},
                {"count", count}}},
              {"series", series}};
}

Result<json> Uxp(OperatorReads& store, const StatsOptions& o) {
  Window w(o);
  const int64_t min = o.min_count;
  HOMEPORT_ASSIGN_OR_RETURN(auto pings, store.DailyCounts(daily::kPings, w.first()));
  HOMEPORT_ASSIGN_OR_RETURN(auto deletions, store.DailyCounts(daily::kDeletionRequests, w.first()));
  HOMEPORT_ASSIGN_OR_RETURN(auto scrubbed, store.DailyCounts(daily::kScrubbed, w.first()));
  HOMEPORT_ASSIGN_OR_RETURN(auto violations,
                            store.DailyCounts(daily::kSchemaViolations, w.first()));
  HOMEPORT_ASSIGN_OR_RETURN(auto active, store.ActiveClients(w.first()));

  json ping_rows = json::array();
  for (const auto& [k, series] : ByKey<2>(pings, w)) {
    ping_rows.push_back({{"app", k[0]},
                         {"ping", k[1]},
                         {"documents", ShownSeries(series, min)},
                         {"total", Shown(Sum(series), min)}});
  }
  std::vector<int64_t> deleted = w.Zeros();
  for (const auto& [k, series] : ByKey<1>(deletions, w)) {
    for (size_t i = 0; i < series.size(); ++i) deleted[i] += series[i];
  }
  json scrub_rows = json::array();
  for (const auto& [k, series] : ByKey<1>(scrubbed, w)) {
    scrub_rows.push_back({{"kind", k[0]},
                          {"identifiers", ShownSeries(series, min)},
                          {"total", Shown(Sum(series), min)}});
  }
  json violation_rows = json::array();
  for (const auto& [k, series] : ByKey<4>(violations, w)) {
    violation_rows.push_back({{"app", k[0]},
                              {"ping", k[1]},
                              {"metric", k[2]},
                              {"problem", k[3]},
                              {"pings", ShownSeries(series, min)},
                              {"total", Shown(Sum(series), min)}});
  }
  std::vector<int64_t> clients = w.Zeros();
  for (const auto& [day, n] : active) {
    if (auto at = w.At(day)) clients[*at] = n;
  }
  return json{{"days", w.days},
              {"min_count", min},
              {"pings", ping_rows},
              {"deletion_requests",
               {{"per_day", ShownSeries(deleted, min)}, {"total", Shown(Sum(deleted), min)}}},
              {"scrubbed", scrub_rows},
              {"schema_violations", violation_rows},
              {"active_clients", ShownSeries(clients, min)}};
}

// Documents by age in days: [0, 7), [7, 30), [30, 90), [90, 180), [180, 365), 365 and older.
constexpr int kAgeBandStarts[] = {0, 7, 30, 90, 180, 365};
constexpr const char* kAgeBandNames[] = {"0-6", "7-29", "30-89", "90-179", "180-364", "365+"};

Result<json> Storage(OperatorReads& store, const StatsOptions& o) {
  const sys_days today = *ParseDay(o.today);
  HOMEPORT_ASSIGN_OR_RETURN(auto ages, store.DocumentAges());
  HOMEPORT_ASSIGN_OR_RETURN(int64_t bytes, store.DatabaseBytes());
  HOMEPORT_ASSIGN_OR_RETURN(auto last_run, store.LastRetentionRun());
  struct Ping {
    int64_t retention_days = 0;
    std::vector<int64_t> bands = std::vector<int64_t>(std::size(kAgeBandStarts), 0);
    int64_t past_retention = 0;
  };
  std::map<std::pair<std::string, std::string>, Ping> pings;
  for (const auto& a : ages) {
    auto received = ParseDay(a.received_day);
    auto expires = ParseDay(a.expires_day);
    if (!received || !expires) continue;  // not written by homeport: nothing to place it by
    Ping& p = pings[{a.app_id, a.doc_type}];
    p.retention_days = std::max<int64_t>(p.retention_days, (*expires - *received).count());
    const int64_t age = std::max<int64_t>(0, (today - *received).count());
    size_t band = 0;
    while (band + 1 < std::size(kAgeBandStarts) && age >= kAgeBandStarts[band + 1]) ++band;
    p.bands[band] += a.documents;
    if (*expires < today) p.past_retention += a.documents;
  }
  json rows = json::array();
  for (const auto& [key, p] : pings) {
    rows.push_back({{"app", key.first},
                    {"ping", key.second},
                    {"retention_days", p.retention_days},
                    {"documents", ShownSeries(p.bands, o.min_count)},
                    {"total", Shown(Sum(p.bands), o.min_count)},
                    {"past_retention", Shown(p.past_retention, o.min_count)}});
  }
  json run = nullptr;
  if (last_run) {
    run = {{"at", last_run->at},
           {"documents_removed", last_run->documents_removed},
           {"metric_values_removed", last_run->metric_values_removed}};
  }
  return json{{"today", o.today},
              {"min_count", o.min_count},
              {"database_bytes", bytes},
              {"last_retention_run", run},
              {"age_bands", kAgeBandNames},
              {"pings", rows}};
}

Result<json> OperatorReadsPanel(Store& store, const StatsOptions& o) {
  HOMEPORT_ASSIGN_OR_RETURN(auto log, store.AccessLog());
  Status chain = VerifyAccessLogChain(log);
  json entries = json::array();
  for (auto it = log.rbegin(); it != log.rend() && entries.size() < static_cast<size_t>(o.access_log_entries);
       ++it) {
    entries.push_back({{"seq", it->seq},
                       {"at", it->at},
                       {"actor", it->actor},
                       {"action", it->action},
                       {"subject", it->subject}});
  }
  // The public transparency log's head: what `log verify` checks from outside, and which
  // witnesses cosigned this size.
  HOMEPORT_ASSIGN_OR_RETURN(int64_t size, store.LogSize());
  HOMEPORT_ASSIGN_OR_RETURN(tlog::Hash root, tlog::TreeHash(size, store.LogHashes()));
  HOMEPORT_ASSIGN_OR_RETURN(auto cosignatures, store.Cosignatures(size));
  json witnesses = json::array();
  for (const auto& c : cosignatures) witnesses.push_back(c.key_name);
  return json{{"chain",
               {{"verified", chain.ok()},
                {"entries", log.size()},
                {"problem", chain.ok() ? json(nullptr) : json(chain.message())}}},
              {"entries", entries},
              {"transparency_log",
               {{"size", size},
                {"root", tlog::HashToBase64(root)},
                {"cosigned_by", witnesses}}}};
}

}  // namespace

std::string_view StatsPanelName(StatsPanel panel) {
  switch (panel) {
    case StatsPanel::kActivations: return "activations";
    case StatsPanel::kRollout: return "rollout";
    case StatsPanel::kRegionAlarm: return "region-alarm";
    case StatsPanel::kUxp: return "uxp";
    case StatsPanel::kStorage: return "storage";
    case StatsPanel::kOperatorReads: return "operator-reads";
  }
  return "";
}

std::string StatsPanelKey(StatsPanel panel) {
  std::string key(StatsPanelName(panel));
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

std::optional<StatsPanel> StatsPanelFromName(std::string_view name) {
  for (StatsPanel p : kAllStatsPanels) {
    if (StatsPanelName(p) == name) return p;
  }
  return std::nullopt;
}

Status ValidateStatsOptions(const StatsOptions& o) {
  if (!ParseDay(o.today)) return Status::InvalidArgument("today must be a day, YYYY-MM-DD");
  if (o.days < 1 || o.days > 366) return Status::InvalidArgument("days must be between 1 and 366");
  if (o.min_count < 1 || o.min_count > 1000) {
    return Status::InvalidArgument("min_count must be between 1 and 1000");
  }
  if (!(o.below >= 0 && o.below <= 1)) {
    return Status::InvalidArgument("below must be a share between 0 and 1");
  }
  if (o.target_manifest_version && *o.target_manifest_version < 0) {
    return Status::InvalidArgument("manifest_version must not be negative");
  }
  if (o.access_log_entries < 1 || o.access_log_entries > 1000) {
    return Status::InvalidArgument("limit must be between 1 and 1000");
  }
  return Status::Ok();
}

Status ApplyStatsQuery(std::string_view query, StatsOptions& o) {
  for (const auto& param : QueryParams(query)) {
    const std::string_view name = param.first, value = param.second;
    auto bad = [&](std::string_view what) {
      return Status::InvalidArgument(std::string(name) + " must be " + std::string(what));
    };
    if (name == "days") {
      auto n = WholeNumber(value, 1, 366);
      if (!n) return bad("a whole number of days between 1 and 366");
      o.days = static_cast<int>(*n);
    } else if (name == "min_count") {
      auto n = WholeNumber(value, 1, 1000);
      if (!n) return bad("a whole number between 1 and 1000");
      // An operator may raise the threshold for a view, never lower the server's.
      o.min_count = std::max(o.min_count, *n);
    } else if (name == "below") {
      double share = -1;
      auto r = std::from_chars(value.data(), value.data() + value.size(), share);
      if (value.empty() || r.ec != std::errc() || r.ptr != value.data() + value.size() ||
          !(share >= 0 && share <= 1)) {
        return bad("a share between 0 and 1, e.g. 0.9");
      }
      o.below = share;
    } else if (name == "manifest_version") {
      auto n = WholeNumber(value, 0, INT64_MAX);
      if (!n) return bad("a manifest version (a whole number)");
      o.target_manifest_version = *n;
    } else if (name == "limit") {
      auto n = WholeNumber(value, 1, 1000);
      if (!n) return bad("a whole number between 1 and 1000");
      o.access_log_entries = static_cast<int>(*n);
    } else if (name == "format") {
      // ?format=json is accepted everywhere on the operator API; these answers are JSON anyway.
    } else {
      return Status::InvalidArgument(
          "unknown parameter \"" + std::string(name.substr(0, 40)) +
          "\": expected days, min_count, below, manifest_version or limit");
    }
  }
  return Status::Ok();
}

Result<json> StatsJson(Store& store, StatsPanel panel, const StatsOptions& o) {
  HOMEPORT_RETURN_IF_ERROR(ValidateStatsOptions(o));
  switch (panel) {
    case StatsPanel::kActivations: return Activations(store, o);
    case StatsPanel::kRollout: return Rollout(store, o);
    case StatsPanel::kRegionAlarm: return RegionAlarm(store, o);
    case StatsPanel::kUxp: return Uxp(store, o);
    case StatsPanel::kStorage: return Storage(store, o);
    case StatsPanel::kOperatorReads: return OperatorReadsPanel(store, o);
  }
  return Status::Internal("unknown statistics panel");
}

Result<json> AllStatsJson(Store& store, const StatsOptions& o) {
  json out = json::object();
  for (StatsPanel p : kAllStatsPanels) {
    HOMEPORT_ASSIGN_OR_RETURN(json panel, StatsJson(store, p, o));
    out[StatsPanelKey(p)] = std::move(panel);
  }
  return out;
}

}  // namespace homeport
