// `homeport serve`: one regional server process — store, group-commit writer, router and
// HTTP server wired together, running until SIGINT or SIGTERM.
#pragma once

#include <string>
#include <vector>

#include "homeport/status.h"
#include "server/client_rate_limiter.h"
#include "server/group_commit_writer.h"
#include "server/http_server.h"
#include "ingest/ingest_log.h"
#include "server/ingest_budget.h"

namespace homeport {

inline constexpr std::string_view kAdminOnDevicePort = "device-port";

struct ServeOptions {
  std::string region;                       // required: the region this deployment serves
  std::string store_url;                    // required: e.g. "sqlite:/var/lib/homeport/sg.db"
  std::string listen = "127.0.0.1:8080";    // HOST:PORT; port 0 picks a free one
  // The operator endpoints' listener (/metrics, /v1/admin/…), HOST:PORT; kAdminOnDevicePort
  // serves them on `listen` instead, beside the devices' endpoints.
  std::string admin_listen = "127.0.0.1:9090";
  std::string controller_contact;  // shown by /privacy: who answers for the data
  std::string log_format = "text";  // or "json", "logfmt": one line per event on stderr
  std::string log_level = "info";   // debug, info, warn, error
  std::string tls_cert;                     // PEM; with tls_key, HTTPS only
  std::string tls_key;
  std::string tls_ciphers = std::string(kIntermediateTls12Ciphers);  // TLS 1.2 suites
  std::string tls_min_version = "1.2";                               // or "1.3"
  std::vector<std::string> manifest_files;  // signed manifests served at GET /v1/manifest
  // The transparency log's checkpoint key (a secret JWK); empty: no /v1/log/ endpoints (the
  // log is kept all the same). Its origin (the checkpoints' first line and the key's name), and
  // the witnesses whose cosignatures are accepted (files of their verifier keys).
  std::string log_key_file;
  std::string log_origin;  // empty: DefaultLogOrigin(region)
  std::vector<std::string> log_witness_files;
  int threads = 0;                          // I/O threads; 0 = one per core
  // Connection bounds (see HttpServerOptions): open connections at most, 0 = sized to the
  // open-file limit after serve lifts its soft limit to the hard one, less descriptors kept for
  // the store and the server (ReservedDescriptors); and the deadlines, in seconds.
  int64_t max_connections = 0;
  int header_timeout_seconds = 10;  // accept / first byte → end of the header
  int idle_timeout_seconds = 60;    // keep-alive wait for the next request
  int body_timeout_seconds = 60;    // end of the header → end of the body; each answer
  GroupCommitOptions commit;
  // Where UX-program documents are durable before the loader moves them into the store. An
  // empty dir is, for "sqlite:PATH", PATH.ingest; a PostgreSQL store needs one named, a
  // directory of this server's own.
  IngestLogOptions ingest_log;
  // The UX program.
  std::vector<std::string> schema_dirs;     // more apps: DIR/<app_id>/metrics.yaml, pings.yaml
  std::string admin_token_file;             // bearer token for /v1/admin/…; empty: API off
  std::string phone_region;                 // country for national phone numbers in free
                                            // text; empty: the region code if it is a country
  ClientRateLimit rate_limit;               // per UX-program client
  IngestBudgetOptions ingest_budget;        // UX-program documents for the whole process
  // The wrong-region alarm: region codes besides ISO 3166-1 alpha-2 that get labels of their
  // own (WrongRegionLabels), and how often the in-memory counts are committed.
  std::vector<std::string> known_regions;
  int wrong_region_flush_seconds = 5;       // 1..3600; also flushed on shutdown
  int retention_interval_seconds = 3600;    // how often retention runs; 0: never
  // Operator statistics (/v1/admin/stats/…, the console) show a count of UX-program data that
  // is above 0 and below this as "< N". 1..1000; 1 shows every count.
  int64_t min_count = 5;
};

Status ValidateServeOptions(const ServeOptions& o);

// The ingest log options of `o`, with the directory filled in for a SQLite store.
IngestLogOptions IngestLogOptionsOf(const ServeOptions& o);

// The HTTP server's options of `o` (all but the address, which RunServe parses from listen).
HttpServerOptions HttpOptions(const ServeOptions& o);

// Prints "homeport serve: region R listening on http(s)://HOST:PORT" on stdout once ready.
// On SIGINT/SIGTERM: stops accepting, lets in-flight requests finish their commits, then
// returns Ok. Errors before that (bad store URL, port in use) are returned.
Status RunServe(const ServeOptions& o);
// What RunServe checks before it binds anything: the options, and every file they name
// (manifests, schemas, admin token, TLS certificate and key). The store is not opened.
Status CheckServe(const ServeOptions& o);

}  // namespace homeport
