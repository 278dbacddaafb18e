// HttpServer: HTTP/1.1 with keep-alive over Boost.Beast, one I/O thread per core, TLS when
// given a certificate. It only reads requests, hands them to the Router and writes the
// answers; it never logs or keeps peer addresses (S2).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "homeport/status.h"
#include "server/router.h"

namespace homeport {

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // address to bind; "0.0.0.0" or "::" for all
  uint16_t port = 8080;            // 0 picks a free port; see HttpServer::port()
  int threads = 0;                 // I/O threads; 0 = one per core
  std::string tls_cert_file;       // PEM chain; with tls_key_file, serve HTTPS only
  std::string tls_key_file;
  std::chrono::seconds idle_timeout{60};  // a keep-alive connection idle this long is closed
};

class HttpServer {
 public:
  // `router` must outlive the server.
  HttpServer(const Router& router, HttpServerOptions options);
  ~HttpServer();

  // Binds and starts the I/O threads. Errors name the address or the TLS file at fault.
  Status Start();
  uint16_t port() const;
  bool tls() const;

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
