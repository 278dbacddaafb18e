// Region-side commands: `enroll` (import a factory batch into a region's store) and `serve`.
#include <algorithm>
#include <cstdio>
#include <map>

#include "command.h"
#include "common/terminal_text.h"
#include "provisioning/device_profile.h"
#include "provisioning/region_manifest.h"
#include "server/serve.h"
#include "store/store.h"

namespace homeport::cli {

void AddEnrollCommand(CLI::App& app, Commands& commands) {
  struct Args {
    std::string store, region, file;
  };
  auto a = std::make_shared<Args>();
  auto* enroll = app.add_subcommand(
      "enroll", "import enrollment.csv into a region's store (rows of that region only)");
  enroll->add_option("--store", a->store, "store URL, e.g. sqlite:sg.db")->required();
  enroll->add_option("--region", a->region, "the region this store serves")->required();
  enroll->add_option("FILE", a->file, "enrollment.csv from `homeport factory batch`")->required();
  enroll->callback([&commands, a] {
    commands.run = [a] {
      if (!IsValidRegionCode(a->region)) {
        return Fail("--region \"" + a->region + "\" is not a region code (" +
                    std::string(kRegionCodeMeaning) + ")");
      }
      auto text = Env::Default()->ReadFile(a->file);
      if (!text.ok()) return Fail(text.status());
      ParsedEnrollmentCsv csv = ParseEnrollmentCsv(*text);
      // Residency: a record of another region never enters this region's store.
      std::vector<EnrollmentCsvProblem> problems = csv.problems;
      // Rows of another region, summed up per region found (first row, how many).
      struct Foreign {
        size_t first = 0, count = 0;
      };
      std::map<std::string, Foreign> foreign;
      for (size_t i = 0; i < csv.records.size(); ++i) {
        if (csv.records[i].region == a->region) continue;
        Foreign& f = foreign[csv.records[i].region];
        if (f.count++ == 0) f.first = i;
      }
      for (const auto& [region, f] : foreign) {
        const int line = csv.record_lines[f.first];
        problems.push_back(
            {line, std::to_string(f.count) + (f.count == 1 ? " serial" : " serials") +
                       " (first " + csv.records[f.first].serial + ", line " +
                       std::to_string(line) + ") " + (f.count == 1 ? "belongs" : "belong") +
                       " to region \"" + region + "\", not \"" + a->region +
                       "\" (the region code this store serves, as in --region): enrollment "
                       "data stays in its own region"});
      }
      std::stable_sort(problems.begin(), problems.end(),
                       [](const auto& x, const auto& y) { return x.line < y.line; });
      if (!problems.empty()) {
        for (const auto& p : problems) {
          Warn(a->file + ":" + std::to_string(p.line) + ": " + p.message);
        }
        return Fail(a->file + " refused: " + std::to_string(problems.size()) +
                    " problem(s); nothing was imported");
      }
      auto store = Store::Open(a->store);
      if (!store.ok()) return Fail(store.status());
      if (Status st = (*store)->Enroll(csv.records); !st.ok()) {
        return Fail(a->file + " refused: " + st.message() + "; nothing was imported");
      }
      std::printf("enrolled %zu devices into region %s\n", csv.records.size(), a->region.c_str());
      return 0;
    };
  });
}

namespace {

// Sets, from the TOML file at `path`, each option of `command` that the command line left
// unset: keys are the flags' names (`admin-listen = "127.0.0.1:9090"`), repeatable flags take
// arrays, a `[serve]` table may hold them. An unknown key or a bad value is a CLI error naming
// the file, as a bad flag is.
void ApplyConfigFile(CLI::App& command, const std::string& path) {
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_file(path);
  } catch (const CLI::Error& e) {
    throw CLI::ValidationError(path + ": " + e.what());
  }
  for (const CLI::ConfigItem& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // a table opening or closing
    const bool ours = item.parents.empty() ||
                      (item.parents.size() == 1 && item.parents[0] == command.get_name());
    CLI::Option* option =
        ours && item.name != "config" && item.name != "check"
            ? command.get_option_no_throw("--" + item.name)
            : nullptr;
    if (option == nullptr) {
      throw CLI::ValidationError(path + ": unknown setting \"" + TerminalSafe(item.fullname()) +
                                 "\" (settings are the flags of `homeport " + command.get_name() +
                                 "` without their dashes)");
    }
    if (option->count() > 0) continue;  // the command line wins
    try {
      option->add_result(item.inputs);
      option->run_callback();
    } catch (const CLI::Error& e) {
      throw CLI::ValidationError(path + ": " + item.name + ": " + e.what());
    }
  }
}

}  // namespace

void AddServeCommand(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<ServeOptions>();
  auto* serve = app.add_subcommand("serve", "run a regional server until SIGINT/SIGTERM");
  // Required, from the command line or --config (checked once both are read).
  serve->add_option("--region", o->region, "the one region this server serves (required)");
  serve->add_option("--store", o->store_url, "store URL: sqlite:PATH or postgresql://… (required)");
  serve->add_option("--listen", o->listen, "HOST:PORT (port 0 picks a free one)")
      ->capture_default_str();
  serve->add_option("--admin-listen", o->admin_listen,
                    "HOST:PORT of the operator endpoints (/metrics, /v1/admin/…), apart from "
                    "the devices'; \"device-port\" serves them on --listen instead")
      ->capture_default_str();
  serve->add_option("--tls-cert", o->tls_cert, "PEM certificate chain: serve HTTPS");
  serve->add_option("--tls-key", o->tls_key, "PEM private key for --tls-cert");
  serve->add_option("--tls-ciphers", o->tls_ciphers,
                    "TLS 1.2 suites, OpenSSL names joined by ':' (default: Mozilla's "
                    "intermediate profile, ECDHE with AEAD only)")
      ->capture_default_str();
  serve->add_option("--tls-min-version", o->tls_min_version, "lowest TLS version: 1.2 or 1.3")
      ->check(CLI::IsMember({"1.2", "1.3"}))
      ->capture_default_str();
  serve->add_option("--manifest", o->manifest_files, "signed manifest(s) for GET /v1/manifest");
  serve->add_option("--log-key", o->log_key_file,
                    "the transparency log's checkpoint key (a secret JWK from `keys new`): "
                    "serve /v1/log/ (checkpoints, entries, proofs)");
  serve->add_option("--log-origin", o->log_origin,
                    "the log's origin, the first line of its checkpoints and its key's name "
                    "(default homeport/REGION/log)");
  serve->add_option("--log-witness", o->log_witness_files,
                    "a witness's verifier key file (homeport log witness-key): its "
                    "cosignatures are accepted and served with the checkpoints");
  serve->add_option("--threads", o->threads, "I/O threads (0 = one per core)")
      ->capture_default_str()
      ->check(WholeNumberIn(0, 1024));
  serve
      ->add_option("--max-connections", o->max_connections,
                   "open client connections at most; idle ones give way first, then 503 "
                   "(0 = sized to the open-file limit)")
      ->capture_default_str()
      ->check(WholeNumberIn(0, 10'000'000));
  serve
      ->add_option("--header-timeout", o->header_timeout_seconds,
                   "seconds from accept (or a keep-alive request's first byte) to the end of "
                   "the request headers")
      ->capture_default_str()
      ->check(WholeNumberIn(1, 86'400, "a number of seconds"));
  serve
      ->add_option("--idle-timeout", o->idle_timeout_seconds,
                   "seconds a keep-alive connection may wait for its next request")
      ->capture_default_str()
      ->check(WholeNumberIn(1, 86'400, "a number of seconds"));
  serve
      ->add_option("--body-timeout", o->body_timeout_seconds,
                   "seconds from the end of the headers to the end of the body (and to write "
                   "each answer)")
      ->capture_default_str()
      ->check(WholeNumberIn(1, 86'400, "a number of seconds"));
  serve->add_option("--queue", o->commit.queue_capacity, "writes waiting before 503")
      ->capture_default_str()
      ->check(WholeNumberIn(1, 10'000'000));
  serve->add_option("--max-batch", o->commit.max_batch, "writes per commit at most")
      ->capture_default_str()
      ->check(WholeNumberIn(1, 1'000'000));
  serve->add_option("--ingest-log", o->ingest_log.dir,
                    "directory of the ingest log, where UX-program documents are durable before "
                    "they reach the store (default for sqlite:PATH: PATH.ingest; required with "
                    "PostgreSQL, one per server)");
  serve->add_option("--ingest-log-max-bytes", o->ingest_log.max_bytes,
                    "bytes the ingest log may hold before pings are answered 503")
      ->capture_default_str()
      ->check(WholeNumberIn(16 << 20, int64_t{1} << 50, "a number of bytes"));
  serve->add_option("--schemas", o->schema_dirs,
                    "more Glean apps: DIR/<app_id>/metrics.yaml and pings.yaml (repeatable)");
  serve->add_option("--admin-token-file", o->admin_token_file,
                    "bearer token for the operator API /v1/admin/ (off without it)");
  serve->add_option("--phone-region", o->phone_region,
                    "country for phone numbers in free text (default: the region code)");
  serve->add_option("--client-rate", o->rate_limit.per_second, "pings per second per client")
      ->capture_default_str()
      ->check(NumberIn(0.001, 1e6, "a number of pings per second"));
  serve->add_option("--client-burst", o->rate_limit.burst, "pings a client may send at once")
      ->capture_default_str()
      ->check(NumberIn(1, 1e9, "a number of pings"));
  serve->add_option("--ingest-budget-docs", o->ingest_budget.documents_per_second,
                    "UX-program documents per second this process accepts, all clients together")
      ->capture_default_str()
      ->check(NumberIn(0.001, 1e9, "a number of documents per second"));
  serve->add_option("--ingest-budget-bytes", o->ingest_budget.bytes_per_second,
                    "UX-program bytes per second (inflated) this process accepts")
      ->capture_default_str()
      ->check(NumberIn(1, 1e15, "a number of bytes per second"));
  serve->add_option("--ingest-burst-seconds", o->ingest_budget.burst_seconds,
                    "seconds of the ingest budget an idle server takes at once")
      ->capture_default_str()
      ->check(NumberIn(0.001, 86'400, "a number of seconds"));
  serve->add_option("--known-region", o->known_regions,
                    "a region code besides ISO 3166-1 alpha-2 that the wrong-region counters "
                    "name (repeatable)");
  serve->add_option("--wrong-region-flush-interval", o->wrong_region_flush_seconds,
                    "seconds between commits of the wrong-region and schema-violation counts")
      ->capture_default_str()
      ->check(WholeNumberIn(1, 3600, "a number of seconds"));
  serve
      ->add_option("--min-count", o->min_count,
                   "operator statistics show a UX-program count below this as \"< N\"")
      ->capture_default_str()
      ->check(WholeNumberIn(1, 1000, "a count"));
  serve
      ->add_option("--retention-interval", o->retention_interval_seconds,
                   "seconds between retention runs (0: never)")
      ->capture_default_str()
      ->check(WholeNumberIn(0, 31'536'000, "a number of seconds"));
  serve->add_option("--controller-contact", o->controller_contact,
                    "who answers for the data, shown at the top of /privacy (e.g. \"Example "
                    "Devices Ltd, privacy@example.com\")");
  serve->add_option("--log-format", o->log_format,
                    "the log on stderr: text, json (JSON lines) or logfmt")
      ->check(CLI::IsMember({"text", "json", "logfmt"}))
      ->capture_default_str();
  serve->add_option("--log-level", o->log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  auto config = std::make_shared<std::string>();
  serve->add_option("--config", *config,
                    "TOML file of serve's flags, e.g. /etc/homeport/homeport.toml (a flag given "
                    "on the command line wins; see docs/deploying.md)");
  auto check = std::make_shared<bool>(false);
  serve->add_flag("--check", *check,
                  "check the flags, the config and every file they name, then exit");
  serve->callback([&commands, serve, o, config, check] {
    if (!config->empty()) ApplyConfigFile(*serve, *config);
    commands.run = [o, check] {
      if (*check) {
        Status st = CheckServe(*o);
        if (!st.ok()) return Fail(st);
        std::printf("homeport serve: configuration OK (region %s, store %s, listen %s)\n",
                    o->region.c_str(), o->store_url.c_str(), o->listen.c_str());
        return 0;
      }
      Status st = RunServe(*o);
      return st.ok() ? 0 : Fail(st);
    };
  });
}

}  // namespace homeport::cli
