// `homeport_bench hold-connections`: opens N keep-alive connections to a server, makes one
// request on each (GET /healthz by default) and holds them all open, idle, until SIGTERM or
// SIGINT, so that the server's memory with N open connections can be read from outside.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace homeport::bench {

struct HoldConnectionsOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  size_t connections = 10000;
  std::string path = "/healthz";
  size_t parallel = 256;  // connections being opened at once (the listen backlog is finite)
};

// Prints "ready open=N failed=F seconds=S" to stdout once every connection has its answer (or
// failed), then on SIGTERM/SIGINT "released open=N closed_by_server=C" and returns 0 if every
// connection was opened and none was closed by the server meanwhile, 1 otherwise.
int HoldConnections(const HoldConnectionsOptions& options);

}  // namespace homeport::bench
