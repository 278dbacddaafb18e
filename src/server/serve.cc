// Process wiring for `homeport serve`, including the graceful shutdown on signals.
#include "server/serve.h"

#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

#include "provisioning/region_manifest.h"
#include "server/connection_limiter.h"
#include "server/http_server.h"
#include "server/retention.h"
#include "server/server_log.h"
#include "server/refusal_flush.h"

namespace homeport {
namespace {

Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("--listen must be HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1) port = -1;
  } catch (...) {
  }
  if (host.empty() || port < 0 || port > 65535) {
    return Status::InvalidArgument("--listen \"" + listen + "\" is not HOST:PORT");
  }
  return std::make_pair(host, static_cast<uint16_t>(port));
}

// An ISO country for libphonenumber: the phone-region option, else a two-letter region code
// upper-cased ("sg" → "SG"), else "ZZ" (only numbers written with + are recognised).
std::string PhoneRegion(const ServeOptions& o) {
  if (!o.phone_region.empty()) return o.phone_region;
  if (o.region.size() == 2)
    return {static_cast<char>(std::toupper(o.region[0])),
            static_cast<char>(std::toupper(o.region[1]))};
  return "ZZ";
}

// A server of many long-lived device connections needs a descriptor each: lift the soft limit
// to the hard one (often 1024 → 524288), as nginx's worker_rlimit_nofile would. Returns the
// limit in force.
uint64_t RaiseOpenFileLimit() {
  rlimit l{};
  if (getrlimit(RLIMIT_NOFILE, &l) != 0) return 0;
  if (l.rlim_cur < l.rlim_max) {
    rlimit raised{l.rlim_max, l.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) l = raised;
  }
  return l.rlim_cur;
}

}  // namespace

HttpServerOptions HttpOptions(const ServeOptions& o) {
  HttpServerOptions http;
  http.threads = o.threads;
  http.tls_cert_file = o.tls_cert;
  http.tls_key_file = o.tls_key;
  http.tls_ciphers = o.tls_ciphers;
  http.tls_min_version = o.tls_min_version;
  http.max_connections = static_cast<size_t>(std::max<int64_t>(o.max_connections, 0));
  http.header_timeout = std::chrono::seconds(o.header_timeout_seconds);
  http.idle_timeout = std::chrono::seconds(o.idle_timeout_seconds);
  http.body_timeout = std::chrono::seconds(o.body_timeout_seconds);
  return http;
}

IngestLogOptions IngestLogOptionsOf(const ServeOptions& o) {
  IngestLogOptions log = o.ingest_log;
  constexpr std::string_view kSqlite = "sqlite:";
  if (log.dir.empty() && o.store_url.starts_with(kSqlite)) {
    log.dir = o.store_url.substr(kSqlite.size()) + ".ingest";
  }
  // A small log gets smaller segments, so that loaded ones are released in time.
  log.segment_bytes = std::min(log.segment_bytes, log.max_bytes / 8);
  return log;
}

Status ValidateServeOptions(const ServeOptions& o) {
  if (o.region.empty()) {
    return Status::InvalidArgument("--region is required (on the command line or in --config)");
  }
  if (o.store_url.empty()) {
    return Status::InvalidArgument("--store is required (on the command line or in --config)");
  }
  if (!IsValidRegionCode(o.region)) {
    return Status::InvalidArgument("--region \"" + o.region +
                                   "\" is not a region code (" + std::string(kRegionCodeMeaning) + ")");
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    return Status::InvalidArgument("--tls-cert and --tls-key go together");
  }
  for (const auto& r : o.known_regions) {
    if (!IsValidRegionCode(r)) {
      return Status::InvalidArgument("--known-region \"" + r +
                                     "\" is not a region code (" + std::string(kRegionCodeMeaning) + ")");
    }
  }
  if (o.min_count < 1 || o.min_count > 1000) {
    return Status::InvalidArgument("--min-count must be between 1 and 1000");
  }
  if (o.wrong_region_flush_seconds < 1 || o.wrong_region_flush_seconds > 3600) {
    return Status::InvalidArgument("--wrong-region-flush-interval must be 1 to 3600 seconds");
  }
  if (!std::isfinite(o.rate_limit.per_second) || o.rate_limit.per_second <= 0) {
    return Status::InvalidArgument("--client-rate must be a positive number of pings per second");
  }
  if (!std::isfinite(o.rate_limit.burst) || o.rate_limit.burst < 1) {
    return Status::InvalidArgument("--client-burst must be at least 1 ping");
  }
  HOMEPORT_RETURN_IF_ERROR(ValidateIngestBudget(o.ingest_budget, kMaxDecompressedBytes));
  if (IngestLogOptionsOf(o).dir.empty()) {
    return Status::InvalidArgument(
        "--ingest-log DIR is required with a PostgreSQL store: each server keeps its own log");
  }
  HOMEPORT_RETURN_IF_ERROR(ValidateIngestLogOptions(IngestLogOptionsOf(o)));
  if (o.max_connections < 0) {
    return Status::InvalidArgument(
        "--max-connections must be 0 (sized to the open-file limit) "
        "or a positive number");
  }
  HOMEPORT_RETURN_IF_ERROR(ValidateHttpServerOptions(HttpOptions(o)));
  if (o.admin_listen != kAdminOnDevicePort) {
    HOMEPORT_RETURN_IF_ERROR(ParseListen(o.admin_listen).status().WithContext("--admin-listen"));
  }
  return ParseListen(o.listen).status();
}

namespace {

// What serve reads from files before it starts: each error names its flag.
struct ServeInputs {
  std::vector<std::string> manifests;
  std::optional<LogSigner> log;
  std::optional<schema::SchemaRegistry> schemas;
  std::optional<privacy::IdentifierScanner> scanner;
  std::string admin_token;
};

Result<ServeInputs> LoadServeInputs(const ServeOptions& o, Env* env) {
  ServeInputs in;
  for (const auto& path : o.manifest_files) {
    auto jws = env->ReadFile(path);
    if (!jws.ok()) return jws.status().WithContext("--manifest");
    while (!jws->empty() && (jws->back() == '\n' || jws->back() == '\r')) jws->pop_back();
    in.manifests.push_back(std::move(*jws));
  }
  auto schemas = schema::SchemaRegistry::Load(o.schema_dirs, env);
  if (!schemas.ok()) return schemas.status().WithContext("--schemas");
  in.schemas.emplace(std::move(*schemas));
  auto scanner = privacy::IdentifierScanner::Create({PhoneRegion(o)});
  if (!scanner.ok() && o.phone_region.empty()) scanner = privacy::IdentifierScanner::Create({});
  if (!scanner.ok()) return scanner.status().WithContext("--phone-region");
  in.scanner.emplace(std::move(*scanner));
  if (!o.admin_token_file.empty()) {
    auto token = env->ReadFile(o.admin_token_file);
    if (!token.ok()) return token.status().WithContext("--admin-token-file");
    in.admin_token = std::move(*token);
    while (!in.admin_token.empty() &&
           std::isspace(static_cast<unsigned char>(in.admin_token.back()))) {
      in.admin_token.pop_back();
    }
    if (in.admin_token.size() < 16) {
      return Status::InvalidArgument("--admin-token-file: the token must be 16 characters or more");
    }
  }
  if (!o.log_key_file.empty()) {
    auto log = LoadLogSigner(env, o.log_key_file,
                             o.log_origin.empty() ? DefaultLogOrigin(o.region) : o.log_origin,
                             o.log_witness_files);
    if (!log.ok()) return log.status();
    in.log = std::move(*log);
  } else if (!o.log_origin.empty() || !o.log_witness_files.empty()) {
    return Status::InvalidArgument("--log-origin and --log-witness need --log-key");
  }
  HOMEPORT_RETURN_IF_ERROR(CheckTlsOptions(HttpOptions(o)));
  return in;
}

std::vector<int64_t> RollbackVersions(const std::vector<std::string>& manifests) {
  std::vector<int64_t> out;
  for (const auto& token : manifests) {
    if (ManifestClaims c = PeekManifestClaims(token); c.rollback) out.push_back(c.version);
  }
  return out;
}

// systemd's readiness protocol (Type=notify); nothing when not started by systemd.
void Notify(const std::string& state) { sd_notify(0, state.c_str()); }

}  // namespace

Status CheckServe(const ServeOptions& o) {
  HOMEPORT_RETURN_IF_ERROR(ValidateServeOptions(o));
  return LoadServeInputs(o, Env::Default()).status();
}

Status RunServe(const ServeOptions& o) {
  HOMEPORT_RETURN_IF_ERROR(ValidateServeOptions(o));
  auto [host, port] = *ParseListen(o.listen);
  // stdout carries the "listening on" lines; the log goes to stderr and never holds a peer
  // address (S2).
  HOMEPORT_RETURN_IF_ERROR(ConfigureServerLog(o.log_format, o.log_level));
  Env* env = Env::Default();
  HOMEPORT_ASSIGN_OR_RETURN(ServeInputs in, LoadServeInputs(o, env));
  const std::vector<std::string>& manifests = in.manifests;
  auto& schemas = in.schemas;
  auto& scanner = in.scanner;
  const std::string& admin_token = in.admin_token;

  auto store = Store::Open(o.store_url);
  if (!store.ok()) return store.status().WithContext("--store");
  // Every manifest the region serves is in its transparency log before any device can fetch it.
  auto manifest_log_indexes = LogServedManifests(**store, manifests, env->Now());
  if (!manifest_log_indexes.ok()) {
    return manifest_log_indexes.status().WithContext("logging the served manifests");
  }
  const uint64_t open_files = RaiseOpenFileLimit();
  // Checked against the limit just raised: a cap the descriptors cannot back would end in
  // failed accepts instead of clean refusals.
  auto max_connections = ResolveMaxConnections(o.max_connections, open_files);
  if (!max_connections.ok()) return max_connections.status();

  // Signals are taken by sigwait below; every thread started from here on inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Opened before any thread starts: what a previous run left in the log is checked first.
  auto ingest_log = IngestLog::Open(IngestLogOptionsOf(o), env);
  if (!ingest_log.ok()) return ingest_log.status().WithContext("--ingest-log");

  ServerMetrics metrics(WrongRegionLabelOptions{o.known_regions});
  GroupCommitWriter writer(**store, env, &metrics, o.commit);
  IngestLoader loader(**ingest_log, **store, env, &metrics);
  WorkerPool workers;  // one thread per core: signature checks use every core
  AnswerDeadline deadlines;
  SchemaViolationTally violations;
  RefusalFlushLoop refusal_flush(metrics, writer, std::chrono::seconds(o.wrong_region_flush_seconds),
                                 &violations);
  ClientRateLimiter rate_limiter(o.rate_limit);
  IngestBudget ingest_budget(o.ingest_budget, env);
  const ServiceContext ctx{o.region,      store->get(), &writer,        ingest_log->get(),
                           &loader,       &metrics,     env,            manifests,
                           &*schemas,     &*scanner,    &rate_limiter,  admin_token,
                           &ingest_budget, &workers,    &deadlines,     {o.controller_contact},
                           &violations,   o.min_count,  in.log ? &*in.log : nullptr,
                           *manifest_log_indexes, RollbackVersions(manifests)};
  const bool admin_apart = o.admin_listen != kAdminOnDevicePort;
  Router router(ctx, admin_apart ? Listener::kDevices : Listener::kBoth);
  Router admin_router(ctx, Listener::kOperators);
  // What the alerting rules in deploy/prometheus read: the backlogs' bounds, how far the store
  // is behind the ingest log, and the access log's chain (checked now and after every
  // retention pass).
  metrics.SetQueueCapacity(o.commit.queue_capacity);
  metrics.SetIngestLogMaxBytes(IngestLogOptionsOf(o).max_bytes);
  metrics.SetIngestUnloadedBytesSource([&loader] { return loader.UnloadedBytes(); });
  (void)CheckAccessLogChain(**store, &metrics);  // a broken chain is logged and alerted on
  std::optional<PeriodicRetention> retention;
  if (o.retention_interval_seconds > 0) {
    retention.emplace(**store, *schemas, env, std::chrono::seconds(o.retention_interval_seconds),
                      &metrics, [](const Result<RetentionReport>& report) {
                        if (!report.ok()) {
                          spdlog::warn("retention: {}", report.status().ToString());
                        } else if (report->documents_removed || report->metric_values_removed) {
                          spdlog::info(
                              "retention: removed {} documents and {} expired metric values",
                              report->documents_removed, report->metric_values_removed);
                        }
                      });
  }
  HttpServerOptions http = HttpOptions(o);
  http.host = host;
  http.port = port;
  http.max_connections = *max_connections;
  HttpServer server(router, http, &metrics);
  HOMEPORT_RETURN_IF_ERROR(server.Start());
  // Operators' endpoints on their own port (loopback by default): never reachable from where
  // devices connect unless --admin-listen says so. Plain HTTP, a few connections.
  std::optional<HttpServer> admin;
  if (admin_apart) {
    auto [admin_host, admin_port] = *ParseListen(o.admin_listen);
    HttpServerOptions admin_http;
    admin_http.host = admin_host;
    admin_http.port = admin_port;
    admin_http.threads = 1;
    admin_http.max_connections = 64;
    admin.emplace(admin_router, admin_http, nullptr);
    HOMEPORT_RETURN_IF_ERROR(admin->Start().WithContext("--admin-listen"));
  }

  std::printf("homeport serve: region %s listening on %s://%s:%u\n", o.region.c_str(),
              server.tls() ? "https" : "http", host.c_str(), server.port());
  if (admin) {
    std::printf("homeport serve: operator endpoints on http://%s:%u\n",
                ParseListen(o.admin_listen)->first.c_str(), admin->port());
  }
  std::fflush(stdout);
  spdlog::info(
      "region {} ready: {} I/O threads, group commit up to {} writes, {} descriptors, {} "
      "connections at most",
      o.region, o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency()),
      o.commit.max_batch, open_files, server.max_connections());

  Notify("READY=1\nSTATUS=serving region " + o.region);
  int sig = 0;
  for (;;) {
    sigwait(&signals, &sig);
    if (sig != SIGHUP) break;
    // systemctl reload: new connections get the certificate and key now on disk; open ones
    // are left alone. A broken file leaves the old ones in force.
    Notify("RELOADING=1");
    Status tls = server.ReloadTls();
    if (tls.ok()) {
      spdlog::info("reload: TLS certificate and key read again");
    } else {
      spdlog::error("reload: kept the previous TLS certificate: {}", tls.ToString());
    }
    Notify("READY=1");
  }
  Notify("STOPPING=1");
  spdlog::info("signal {}: no new connections; finishing {} in-flight requests", sig,
               server.InFlight());
  server.StopAccepting();
  // In-flight requests wait on the writer, which keeps committing; give them time to be answered.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.InFlight() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  server.Stop();
  if (admin) admin->Stop();
  workers.Stop();  // activations in progress reach the writer before it stops
  refusal_flush.Stop();  // the last counts go in before the writer's final commit
  writer.Stop();
  (*ingest_log)->Stop();
  loader.Stop();  // loads what the log holds while the store answers; the rest at the next start
  spdlog::info("stopped");
  return Status::Ok();
}

}  // namespace homeport
