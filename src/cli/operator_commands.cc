// Operator tools: `warranty` (an audited read of one device's record, S7), `rollout`
// (which versions each batch runs: has the fix reached the affected devices?) and `stats`
// (aggregates, among them the stored wrong-region counts).
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "command.h"
#include "common/terminal_text.h"
#include "server/operator_stats.h"
#include "server/router.h"
#include "store/sqlite/sqlite_backup.h"
#include "store/store.h"

namespace homeport::cli {
namespace {

void PrintRolloutTable(const RolloutReport& report) {
  for (const auto& b : report.batches) {
    std::printf("batch %s: %lld enrolled, %lld activated, %lld revoked\n",
                TerminalSafe(b.batch).c_str(), static_cast<long long>(b.enrolled),
                static_cast<long long>(b.activated), static_cast<long long>(b.revoked));
    std::printf("  %-18s %-16s %10s %8s\n", "manifest_version", "client_version", "devices",
                "share");
    for (const auto& v : report.versions) {
      if (v.batch != b.batch) continue;
      double share = b.activated
                         ? 100.0 * static_cast<double>(v.devices) / static_cast<double>(b.activated)
                         : 0;
      std::printf("  %-18lld %-16s %10lld %7.1f%%\n", static_cast<long long>(v.manifest_version),
                  TerminalSafe(v.client_version).c_str(), static_cast<long long>(v.devices), share);
    }
  }
}

std::string Cell(const nlohmann::json& count) {
  return count.is_string() ? count.get<std::string>() : count.dump();
}

// The text form of `homeport stats`: each panel's totals (the series are in --json).
void PrintStatsPanel(StatsPanel panel, const nlohmann::json& p) {
  std::printf("\n== %s\n", std::string(StatsPanelName(panel)).c_str());
  auto text = [](const nlohmann::json& v) { return TerminalSafe(v.get<std::string>()); };
  switch (panel) {
    case StatsPanel::kActivations: {
      const auto& t = p["totals"];
      std::printf("%s to %s: %lld activations, %lld check-ins; %lld devices activated in all\n",
                  text(p["days"].front()).c_str(), text(p["days"].back()).c_str(),
                  t["activations"].get<long long>(), t["checkins"].get<long long>(),
                  t["activated_devices"].get<long long>());
      std::printf("  %-20s %-12s %-12s %11s %9s\n", "batch", "model", "variant", "activations",
                  "check-ins");
      for (const auto& s : p["series"]) {
        long long a = 0, c = 0;
        for (const auto& n : s["activations"]) a += n.get<long long>();
        for (const auto& n : s["checkins"]) c += n.get<long long>();
        std::printf("  %-20s %-12s %-12s %11lld %9lld\n", text(s["batch"]).c_str(),
                    text(s["model"]).c_str(), text(s["variant"]).c_str(), a, c);
      }
      break;
    }
    case StatsPanel::kRollout: {
      std::printf("target manifest version %lld\n",
                  p["target"]["manifest_version"].get<long long>());
      std::printf("  %-20s %9s %9s %9s %9s\n", "batch", "enrolled", "activated", "revoked",
                  "on target");
      for (const auto& b : p["batches"]) {
        std::printf("  %-20s %9lld %9lld %9lld %8.1f%%\n", text(b["batch"]).c_str(),
                    b["enrolled"].get<long long>(), b["activated"].get<long long>(),
                    b["revoked"].get<long long>(), 100 * b["on_target"].get<double>());
      }
      for (const auto& b : p["below"]) {
        std::printf("below %.0f%%: %s (%.1f%%)\n", 100 * p["target"]["below"].get<double>(),
                    text(b["batch"]).c_str(), 100 * b["on_target"].get<double>());
      }
      break;
    }
    case StatsPanel::kRegionAlarm: {
      const auto& a = p["alarm"];
      if (a["count"].get<long long>() == 0) {
        std::printf("no wrong-region activations\n");
        break;
      }
      std::printf("%s%lld wrong-region activations, first seen %s, last seen %s\n",
                  a["active"].get<bool>() ? "ALARM: " : "", a["count"].get<long long>(),
                  text(a["first_seen"]).c_str(), text(a["last_seen"]).c_str());
      std::printf("  %-16s %-24s %10s %-10s %-10s\n", "claimed_region", "variant", "attempts",
                  "first", "last");
      for (const auto& s : p["series"]) {
        std::printf("  %-16s %-24s %10lld %-10s %-10s\n", text(s["claimed_region"]).c_str(),
                    text(s["variant"]).c_str(), s["total"].get<long long>(),
                    text(s["first_seen"]).c_str(), text(s["last_seen"]).c_str());
      }
      break;
    }
    case StatsPanel::kUxp: {
      std::printf("(counts below %lld shown as \"< %lld\")\n", p["min_count"].get<long long>(),
                  p["min_count"].get<long long>());
      for (const auto& r : p["pings"]) {
        std::printf("  pings %-40s %10s\n",
                    (text(r["app"]) + "/" + text(r["ping"])).c_str(), Cell(r["total"]).c_str());
      }
      std::printf("  deletion-requests %38s\n", Cell(p["deletion_requests"]["total"]).c_str());
      for (const auto& r : p["scrubbed"]) {
        std::printf("  scrubbed %-39s %10s\n", text(r["kind"]).c_str(), Cell(r["total"]).c_str());
      }
      for (const auto& r : p["schema_violations"]) {
        std::printf("  violation %s/%s %s %s: %s\n", text(r["app"]).c_str(),
                    text(r["ping"]).c_str(), text(r["metric"]).c_str(),
                    text(r["problem"]).c_str(), Cell(r["total"]).c_str());
      }
      break;
    }
    case StatsPanel::kStorage: {
      std::printf("database %lld bytes; last retention run %s\n",
                  p["database_bytes"].get<long long>(),
                  p["last_retention_run"].is_null()
                      ? "never"
                      : text(p["last_retention_run"]["at"]).c_str());
      for (const auto& r : p["pings"]) {
        std::printf("  %-40s %10s documents, kept %lld days, %s past it\n",
                    (text(r["app"]) + "/" + text(r["ping"])).c_str(), Cell(r["total"]).c_str(),
                    r["retention_days"].get<long long>(), Cell(r["past_retention"]).c_str());
      }
      break;
    }
    case StatsPanel::kOperatorReads: {
      const auto& c = p["chain"];
      std::printf("%lld entries; %s\n", c["entries"].get<long long>(),
                  c["verified"].get<bool>() ? "the hash chain verifies"
                                            : ("CHAIN BROKEN: " + text(c["problem"])).c_str());
      for (const auto& e : p["entries"]) {
        std::printf("  %6lld %s %-28s %-16s %s\n", e["seq"].get<long long>(),
                    text(e["at"]).c_str(), text(e["actor"]).c_str(), text(e["action"]).c_str(),
                    text(e["subject"]).c_str());
      }
      break;
    }
  }
}

// The file of an sqlite: store URL; for PostgreSQL, the error says which tool does the job.
Result<std::string> SqlitePathForCopy(const std::string& url, const std::string& postgres_tool) {
  if (url.rfind("sqlite:", 0) == 0 && url.size() > 7) return url.substr(7);
  if (url.rfind("postgres", 0) == 0) {
    return Status::InvalidArgument(
        "a PostgreSQL store is backed up and restored with PostgreSQL's own tools, which keep "
        "every server of the region running: " +
        postgres_tool + " (see docs/deploying.md, \"Backups\")");
  }
  return Status::InvalidArgument("\"" + url + "\" is not a store URL (sqlite:PATH)");
}

}  // namespace

// The access log names who read personal data: the operating-system user running the CLI.
std::string CliActor() {
  const passwd* pw = getpwuid(geteuid());
  return std::string("cli:") + (pw ? pw->pw_name : std::to_string(geteuid()));
}

void AddOperatorCommands(CLI::App& app, Commands& commands) {
  struct WarrantyArgs {
    std::string serial, store;
  };
  auto w = std::make_shared<WarrantyArgs>();
  auto* warranty = app.add_subcommand("warranty", "print a device's activation record (audited)");
  warranty->add_option("SERIAL", w->serial, "device serial")->required();
  warranty->add_option("--store", w->store, "store URL")->required();
  warranty->callback([&commands, w] {
    commands.run = [w] {
      auto store = Store::OpenExisting(w->store);
      if (!store.ok()) return Fail(store.status());
      auto record = (*store)->LookupWarranty(w->serial, CliActor(), Env::Default()->Now());
      if (!record.ok()) return Fail(record.status());
      if (!*record) return Fail("no activation for serial " + w->serial + " in this store");
      std::printf("%s\n", TerminalSafeJson(WarrantyJson(**record)).c_str());
      return 0;
    };
  });

  struct RolloutArgs {
    std::string store;
    std::optional<std::string> batch;
    bool json = false;
  };
  auto r = std::make_shared<RolloutArgs>();
  auto* rollout = app.add_subcommand("rollout", "devices per batch by manifest and client version");
  rollout->add_option("--store", r->store, "store URL")->required();
  rollout->add_option("--batch", r->batch, "only this batch");
  rollout->add_flag("--json", r->json, "print JSON");
  rollout->callback([&commands, r] {
    commands.run = [r] {
      auto store = Store::OpenExisting(r->store);
      if (!store.ok()) return Fail(store.status());
      auto report = (*store)->Rollout(r->batch);
      if (!report.ok()) return Fail(report.status());
      if (r->batch && report->batches.empty())
        return Fail("no batch " + *r->batch + " in this store");
      if (!r->json) {
        PrintRolloutTable(*report);
        return 0;
      }
      nlohmann::json out = {{"batches", nlohmann::json::array()}};
      for (const auto& b : report->batches) {
        nlohmann::json versions = nlohmann::json::array();
        for (const auto& v : report->versions) {
          if (v.batch != b.batch) continue;
          versions.push_back({{"manifest_version", v.manifest_version},
                              {"client_version", v.client_version},
                              {"devices", v.devices}});
        }
        out["batches"].push_back({{"batch", b.batch},
                                  {"enrolled", b.enrolled},
                                  {"activated", b.activated},
                                  {"revoked", b.revoked},
                                  {"versions", versions}});
      }
      std::printf("%s\n", TerminalSafeJson(out).c_str());
      return 0;
    };
  });

  // Aggregates only, nothing personal: not audited. The same figures as the console's panels
  // and GET /v1/admin/stats (server/operator_stats.h).
  struct StatsArgs {
    std::string store;
    std::optional<std::string> panel;
    StatsOptions options;
    bool json = false;
  };
  auto st = std::make_shared<StatsArgs>();
  auto* stats = app.add_subcommand(
      "stats", "the operator console's figures: activations, fix rollout, the wrong-region "
               "alarm, the UX program, storage, operator reads");
  stats->add_option("--store", st->store, "store URL")->required();
  stats->add_option("--panel", st->panel,
                    "only this panel: activations, rollout, region-alarm, uxp, storage, "
                    "operator-reads");
  stats->add_option("--days", st->options.days, "days in each series, ending today (UTC)")
      ->capture_default_str()
      ->check(WholeNumberIn(1, 366, "a number of days"));
  stats->add_option("--min-count", st->options.min_count,
                    "a UX-program count above 0 and below this is shown as \"< N\"")
      ->capture_default_str()
      ->check(WholeNumberIn(1, 1000, "a count"));
  stats->add_option("--below", st->options.below,
                    "rollout: list the batches with a smaller share of devices on the target "
                    "manifest version")
      ->capture_default_str()
      ->check(NumberIn(0, 1, "a share between 0 and 1"));
  stats->add_option("--manifest-version", st->options.target_manifest_version,
                    "rollout: the target manifest version (default: the highest reported)")
      ->check(WholeNumberIn(0, 999'999'999'999, "a manifest version"));
  stats->add_option("--limit", st->options.access_log_entries,
                    "operator reads: the newest entries shown")
      ->capture_default_str()
      ->check(WholeNumberIn(1, 1000, "a number of entries"));
  stats->add_flag("--json", st->json, "print JSON (the API's bodies)");
  stats->callback([&commands, st] {
    commands.run = [st] {
      std::optional<StatsPanel> panel;
      if (st->panel) {
        panel = StatsPanelFromName(*st->panel);
        if (!panel) {
          return Fail("--panel " + *st->panel +
                      ": expected activations, rollout, region-alarm, uxp, storage or "
                      "operator-reads");
        }
      }
      auto store = Store::OpenExisting(st->store);
      if (!store.ok()) return Fail(store.status());
      StatsOptions options = st->options;
      options.today = FormatDate(Env::Default()->Now());
      auto out = panel ? StatsJson(**store, *panel, options) : AllStatsJson(**store, options);
      if (!out.ok()) return Fail(out.status());
      if (st->json) {
        std::printf("%s\n", TerminalSafeJson(*out).c_str());
        return 0;
      }
      if (panel) {
        PrintStatsPanel(*panel, *out);
      } else {
        for (StatsPanel p : kAllStatsPanels) PrintStatsPanel(p, (*out)[StatsPanelKey(p)]);
      }
      return 0;
    };
  });

  // Backups of the embedded store, taken while the server runs. PostgreSQL has its own tools.
  struct CopyArgs {
    std::string store, file;
  };
  auto b = std::make_shared<CopyArgs>();
  auto* backup = app.add_subcommand(
      "backup", "copy an SQLite store into a new file, consistently, while the server runs");
  backup->add_option("--store", b->store, "store URL: sqlite:PATH")->required();
  backup->add_option("--out", b->file, "the backup file to write (must not exist)")->required();
  backup->callback([&commands, b] {
    commands.run = [b] {
      auto path = SqlitePathForCopy(b->store, "pg_dump --format=custom --file FILE 'URL'");
      if (!path.ok()) return Fail(path.status());
      if (Status st = CopySqliteStore(*path, b->file); !st.ok()) return Fail(st);
      std::printf("backed up %s into %s\n", path->c_str(), b->file.c_str());
      return 0;
    };
  });
  auto r2 = std::make_shared<CopyArgs>();
  auto* restore = app.add_subcommand(
      "restore", "make an SQLite store from a backup (the store must not exist yet)");
  restore->add_option("--from", r2->file, "a file written by `homeport backup`")->required();
  restore->add_option("--store", r2->store, "store URL to create: sqlite:PATH")->required();
  restore->callback([&commands, r2] {
    commands.run = [r2] {
      auto path = SqlitePathForCopy(r2->store, "pg_restore --dbname 'URL' FILE");
      if (!path.ok()) return Fail(path.status());
      if (Status st = CopySqliteStore(r2->file, *path); !st.ok()) return Fail(st);
      std::printf("restored %s from %s; start the server on it\n", path->c_str(),
                  r2->file.c_str());
      return 0;
    };
  });

  struct MigrateArgs {
    std::string store;
    bool dry_run = false;
  };
  auto m = std::make_shared<MigrateArgs>();
  auto* migrate = app.add_subcommand(
      "migrate", "bring a store's schema to this homeport's version (serve does it at start)");
  migrate->add_option("--store", m->store, "store URL")->required();
  migrate->add_flag("--dry-run", m->dry_run, "print what would change, change nothing");
  migrate->callback([&commands, m] {
    commands.run = [m] {
      auto v = Store::ReadSchemaVersions(m->store);
      if (!v.ok()) return Fail(v.status());
      if (v->current > v->known) {
        return Fail("the store is at schema version " + std::to_string(v->current) +
                    ", newer than this homeport's " + std::to_string(v->known) +
                    ": run the homeport that migrated it, or a newer one");
      }
      if (v->current == v->known) {
        std::printf("schema version %lld: up to date, nothing to do\n",
                    static_cast<long long>(v->current));
        return 0;
      }
      std::printf("schema version %lld -> %lld:\n", static_cast<long long>(v->current),
                  static_cast<long long>(v->known));
      for (int64_t n = v->current + 1; n <= v->known; ++n) {
        std::printf("  %lld. %s\n", static_cast<long long>(n),
                    std::string(MigrationSummary(n)).c_str());
      }
      if (m->dry_run) {
        std::printf("dry run: nothing was changed\n");
        return 0;
      }
      auto store = Store::OpenExisting(m->store);  // applies them, in one transaction
      if (!store.ok()) return Fail(store.status());
      std::printf("migrated to schema version %lld\n", static_cast<long long>(v->known));
      return 0;
    };
  });
}

}  // namespace homeport::cli
