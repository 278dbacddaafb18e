// Operator tools: `warranty` (an audited read of one device's record, S7), `rollout`
// (which versions each batch runs: has the fix reached the affected devices?) and `stats`
// (aggregates, among them the stored wrong-region counts).
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "command.h"
#include "common/terminal_text.h"
#include "server/router.h"
#include "store/sqlite/sqlite_backup.h"
#include "store/store.h"

namespace homeport::cli {
namespace {

void PrintRolloutTable(const RolloutReport& report) {
  for (const auto& b : report.batches) {
    std::printf("batch %s: %lld enrolled, %lld activated\n", TerminalSafe(b.batch).c_str(),
                static_cast<long long>(b.enrolled), static_cast<long long>(b.activated));
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
                                  {"versions", versions}});
      }
      std::printf("%s\n", TerminalSafeJson(out).c_str());
      return 0;
    };
  });

  // Aggregates only, nothing personal: not audited. The wrong-region rows are the stored side
  // of the 2019 alarm (refusals are committed in aggregate every few seconds by the server).
  struct StatsArgs {
    std::string store;
    bool json = false;
  };
  auto st = std::make_shared<StatsArgs>();
  auto* stats = app.add_subcommand(
      "stats", "aggregate figures: wrong-region attempts, UX-program documents per ping");
  stats->add_option("--store", st->store, "store URL")->required();
  stats->add_flag("--json", st->json, "print JSON");
  stats->callback([&commands, st] {
    commands.run = [st] {
      auto store = Store::OpenExisting(st->store);
      if (!store.ok()) return Fail(store.status());
      auto wrong_region = (*store)->WrongRegionCounts();
      if (!wrong_region.ok()) return Fail(wrong_region.status());
      auto documents = (*store)->DocumentCounts();
      if (!documents.ok()) return Fail(documents.status());
      if (st->json) {
        nlohmann::json out = {{"wrong_region_attempts", nlohmann::json::array()},
                              {"documents", nlohmann::json::array()}};
        for (const auto& w : *wrong_region) {
          out["wrong_region_attempts"].push_back({{"claimed_region", w.claimed_region},
                                                  {"variant", w.variant},
                                                  {"attempts", w.attempts}});
        }
        for (const auto& [ping, n] : *documents) {
          out["documents"].push_back({{"ping", ping}, {"documents", n}});
        }
        std::printf("%s\n", out.dump(2).c_str());
        return 0;
      }
      std::printf("wrong-region attempts (activations refused with 421):\n");
      std::printf("  %-16s %-32s %10s\n", "claimed_region", "variant", "attempts");
      for (const auto& w : *wrong_region) {
        std::printf("  %-16s %-32s %10lld\n", w.claimed_region.c_str(), w.variant.c_str(),
                    static_cast<long long>(w.attempts));
      }
      std::printf("UX-program documents stored:\n");
      for (const auto& [ping, n] : *documents) {
        std::printf("  %-49s %10lld\n", ping.c_str(), static_cast<long long>(n));
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
