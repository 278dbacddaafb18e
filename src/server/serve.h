// `homeport serve`: one regional server process — store, group-commit writer, router and
// HTTP server wired together, running until SIGINT or SIGTERM.
#pragma once

#include <string>
#include <vector>

#include "homeport/status.h"
#include "server/group_commit_writer.h"

namespace homeport {

struct ServeOptions {
  std::string region;                       // required: the region this deployment serves
  std::string store_url;                    // required: e.g. "sqlite:/var/lib/homeport/sg.db"
  std::string listen = "127.0.0.1:8080";    // HOST:PORT; port 0 picks a free one
  std::string tls_cert;                     // PEM; with tls_key, HTTPS only
  std::string tls_key;
  std::vector<std::string> manifest_files;  // signed manifests served at GET /v1/manifest
  int threads = 0;                          // I/O threads; 0 = one per core
  GroupCommitOptions commit;
};

Status ValidateServeOptions(const ServeOptions& o);

// Prints "homeport serve: region R listening on http(s)://HOST:PORT" on stdout once ready.
// On SIGINT/SIGTERM: stops accepting, lets in-flight requests finish their commits, then
// returns Ok. Errors before that (bad store URL, port in use) are returned.
Status RunServe(const ServeOptions& o);

}  // namespace homeport
