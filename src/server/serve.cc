// Process wiring for `homeport serve`, including the graceful shutdown on signals.
#include "server/serve.h"

#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "provisioning/region_manifest.h"
#include "server/connection_limiter.h"
#include "server/http_server.h"
#include "server/retention.h"

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

// Runs retention every `interval` until stopped.
class RetentionLoop {
 public:
  RetentionLoop(Store& store, const schema::SchemaRegistry& schemas, Env* env, int interval_s)
      : store_(store), schemas_(schemas), env_(env), interval_(interval_s) {
    if (interval_s > 0) thread_ = std::thread([this] { Run(); });
  }
  ~RetentionLoop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      auto report = RunRetention(store_, schemas_, env_->Now());
      if (!report.ok()) {
        spdlog::warn("retention: {}", report.status().ToString());
      } else if (report->documents_removed || report->metric_values_removed) {
        spdlog::info("retention: removed {} documents and {} expired metric values",
                     report->documents_removed, report->metric_values_removed);
      }
      lock.lock();
      cv_.wait_for(lock, interval_, [this] { return stop_; });
    }
  }

  Store& store_;
  const schema::SchemaRegistry& schemas_;
  Env* env_;
  std::chrono::seconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

HttpServerOptions HttpOptions(const ServeOptions& o) {
  HttpServerOptions http;
  http.threads = o.threads;
  http.tls_cert_file = o.tls_cert;
  http.tls_key_file = o.tls_key;
  http.max_connections = static_cast<size_t>(std::max<int64_t>(o.max_connections, 0));
  http.header_timeout = std::chrono::seconds(o.header_timeout_seconds);
  http.idle_timeout = std::chrono::seconds(o.idle_timeout_seconds);
  http.body_timeout = std::chrono::seconds(o.body_timeout_seconds);
  return http;
}

Status ValidateServeOptions(const ServeOptions& o) {
  if (!IsValidRegionCode(o.region)) {
    return Status::InvalidArgument("--region \"" + o.region +
                                   "\" is not a region code (2-16 of a-z, 0-9, -)");
  }
  if (o.store_url.empty()) return Status::InvalidArgument("--store is required");
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    return Status::InvalidArgument("--tls-cert and --tls-key go together");
  }
  if (o.max_connections < 0) {
    return Status::InvalidArgument(
        "--max-connections must be 0 (sized to the open-file limit) "
        "or a positive number");
  }
  HOMEPORT_RETURN_IF_ERROR(ValidateHttpServerOptions(HttpOptions(o)));
  return ParseListen(o.listen).status();
}

Status RunServe(const ServeOptions& o) {
  HOMEPORT_RETURN_IF_ERROR(ValidateServeOptions(o));
  auto [host, port] = *ParseListen(o.listen);
  // stdout carries the one "listening on" line; the log goes to stderr and never holds a
  // peer address (S2).
  spdlog::set_default_logger(spdlog::stderr_color_mt("homeport"));
  Env* env = Env::Default();

  std::vector<std::string> manifests;
  for (const auto& path : o.manifest_files) {
    HOMEPORT_ASSIGN_OR_RETURN(std::string jws, env->ReadFile(path));
    while (!jws.empty() && (jws.back() == '\n' || jws.back() == '\r')) jws.pop_back();
    manifests.push_back(std::move(jws));
  }

  auto schemas = schema::SchemaRegistry::Load(o.schema_dirs, env);
  if (!schemas.ok()) return schemas.status().WithContext("--schemas");
  auto scanner = privacy::IdentifierScanner::Create({PhoneRegion(o)});
  if (!scanner.ok() && o.phone_region.empty()) scanner = privacy::IdentifierScanner::Create({});
  if (!scanner.ok()) return scanner.status().WithContext("--phone-region");
  std::string admin_token;
  if (!o.admin_token_file.empty()) {
    HOMEPORT_ASSIGN_OR_RETURN(admin_token, env->ReadFile(o.admin_token_file));
    while (!admin_token.empty() && std::isspace(static_cast<unsigned char>(admin_token.back()))) {
      admin_token.pop_back();
    }
    if (admin_token.size() < 16) {
      return Status::InvalidArgument("--admin-token-file: the token must be 16 characters or more");
    }
  }

  auto store = Store::Open(o.store_url);
  if (!store.ok()) return store.status().WithContext("--store");
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
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ServerMetrics metrics;
  GroupCommitWriter writer(**store, env, &metrics, o.commit);
  ClientRateLimiter rate_limiter(o.rate_limit);
  Router router(ServiceContext{o.region, store->get(), &writer, &metrics, env, manifests, &*schemas,
                               &*scanner, &rate_limiter, admin_token});
  RetentionLoop retention(**store, *schemas, env, o.retention_interval_seconds);
  HttpServerOptions http = HttpOptions(o);
  http.host = host;
  http.port = port;
  http.max_connections = *max_connections;
  HttpServer server(router, http, &metrics);
  HOMEPORT_RETURN_IF_ERROR(server.Start());

  std::printf("homeport serve: region %s listening on %s://%s:%u\n", o.region.c_str(),
              server.tls() ? "https" : "http", host.c_str(), server.port());
  std::fflush(stdout);
  spdlog::info(
      "region {} ready: {} I/O threads, group commit up to {} writes, {} descriptors, {} "
      "connections at most",
      o.region, o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency()),
      o.commit.max_batch, open_files, server.max_connections());

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: no new connections; finishing {} in-flight requests", sig,
               server.InFlight());
  server.StopAccepting();
  // In-flight requests wait on the writer, which keeps committing; give them time to be answered.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.InFlight() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  server.Stop();
  writer.Stop();
  spdlog::info("stopped");
  return Status::Ok();
}

}  // namespace homeport
