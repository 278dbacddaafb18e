// HttpServer: HTTP/1.1 with keep-alive over Boost.Beast, one I/O thread per core, TLS when
// given a certificate. It only reads requests, hands them to the Router and writes the
// answers; it never logs or keeps peer addresses (S2). Every resource a client can hold is
// bounded (S8): connections (a cap, idle ones giving way first), time (separate deadlines
// for the header, the body and keep-alive idleness) and memory (a fixed read buffer per
// connection, so no header, chunk-size line or trailer can grow it).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "homeport/status.h"
#include "server/router.h"
#include "server/server_metrics.h"

namespace homeport {

inline constexpr std::string_view kIntermediateTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // address to bind; "0.0.0.0" or "::" for all
  uint16_t port = 8080;            // 0 picks a free port; see HttpServer::port()
  int threads = 0;                 // I/O threads; 0 = one per core
  std::string tls_cert_file;       // PEM chain; with tls_key_file, serve HTTPS only
  std::string tls_key_file;
  // TLS 1.2 suites (OpenSSL names) and the lowest version taken ("1.2" or "1.3"). The default is
  // Mozilla's "intermediate" server profile: TLS 1.3, and TLS 1.2 with ECDHE and AEAD suites only.
  std::string tls_ciphers = std::string(kIntermediateTls12Ciphers);
  std::string tls_min_version = "1.2";
  // Open client connections at most. Past it, the connection idle the longest (one that has
  // sent nothing yet, or waits in keep-alive) is closed to admit the newcomer; if every one is
  // busy with a request, the newcomer is answered 503 and closed. 0 = DefaultMaxConnections()
  // of the open-file limit in force at Start().
  size_t max_connections = 0;
  // From accept (or from a keep-alive request's first byte) to the end of the request line
  // and headers; a client trickling its header (slowloris) is cut here.
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds idle_timeout{60};  // a keep-alive connection idle this long is closed
  // From the end of the header to the end of the body; writing each answer has as long.
  std::chrono::seconds body_timeout{60};
};

// Upper bounds of what one connection buffers while reading a request.
inline constexpr size_t kMaxHeaderBytes = 16 * 1024;  // request line and header fields
// The read buffer: a header, or a chunk-size line (chunk extensions included) or the trailer
// of a chunked body, must fit in it whole; chunk data and Content-Length bodies stream through.
inline constexpr size_t kReadBufferBytes = 32 * 1024;

// Loads the TLS files and settings as Start would, without serving (serve --check).
Status CheckTlsOptions(const HttpServerOptions& o);

// Refuses options no server can run with (a zero deadline, say), naming the flag at fault.
Status ValidateHttpServerOptions(const HttpServerOptions& o);

class HttpServer {
 public:
  // `router` (and `metrics`, if given: connections refused, evicted and cut by deadlines) must
  // outlive the server.
  HttpServer(const Router& router, HttpServerOptions options, ServerMetrics* metrics = nullptr);
  ~HttpServer();

  // Binds and starts the I/O threads. Errors name the address or the TLS file at fault.
  Status Start();
  uint16_t port() const;
  bool tls() const;
  // The connection cap in force (resolved from the open-file limit when the option was 0).
  size_t max_connections() const;

  // Reads the TLS certificate chain and key again (SIGHUP): connections accepted from now on
  // use them, open ones go on with theirs. On an error the old ones stay in force.
  Status ReloadTls();

  // Stops accepting; connections close after the response they are working on.
  void StopAccepting();
  // Requests read but not yet fully answered.
  int64_t InFlight() const;
  // Closes everything and joins the I/O threads.
  void Stop();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace homeport
