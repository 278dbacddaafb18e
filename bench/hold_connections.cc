// hold-connections (see hold_connections.h): one thread, one io_context. `parallel` chains of
// connect → request → answer run until N connections are open; each open connection then
// keeps one read pending, which completes only if the server closes it (or sends unasked).
#include "hold_connections.h"

#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

namespace homeport::bench {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

class ConnectionHolder {
 public:
  explicit ConnectionHolder(const HoldConnectionsOptions& o)
      : o_(o), endpoint_(net::ip::make_address(o.host), o.port), signals_(ioc_, SIGINT, SIGTERM) {
    request_ = "GET " + o.path + " HTTP/1.1\r\nHost: " + o.host + ":" + std::to_string(o.port) +
               "\r\n\r\n";
  }

  int Run() {
    start_ = std::chrono::steady_clock::now();
    for (size_t i = 0; i < o_.parallel && i < o_.connections; ++i) OpenNext();
    signals_.async_wait([this](beast::error_code ec, int) {
      if (ec) return;
      releasing_ = true;
      size_t open = 0;
      for (auto& c : connections_) open += c->open;
      std::printf("released open=%zu closed_by_server=%zu\n", open, closed_by_server_);
      std::fflush(stdout);
      for (auto& c : connections_) {
        beast::error_code ignored;
        c->socket.close(ignored);
      }
      ioc_.stop();
    });
    ioc_.run();
    return failed_ == 0 && closed_by_server_ == 0 ? 0 : 1;
  }

 private:
  struct Connection {
    explicit Connection(net::io_context& ioc) : socket(ioc) {}
    tcp::socket socket;
    beast::flat_buffer buffer;
    std::optional<http::response_parser<http::string_body>> parser;
    char probe = 0;
    bool open = false;
  };

  void OpenNext() {
    if (started_ == o_.connections) return;
    ++started_;
    connections_.push_back(std::make_unique<Connection>(ioc_));
    Connection* c = connections_.back().get();
    c->socket.async_connect(endpoint_, [this, c](beast::error_code ec) {
      if (ec) return Failed(c, "connect", ec);
      net::async_write(c->socket, net::buffer(request_), [this, c](beast::error_code e, size_t) {
        if (e) return Failed(c, "write", e);
        c->parser.emplace();
        http::async_read(c->socket, c->buffer, *c->parser,
                         [this, c](beast::error_code e2, size_t) { OnAnswer(c, e2); });
      });
    });
  }

  void OnAnswer(Connection* c, beast::error_code ec) {
    if (ec) return Failed(c, "read", ec);
    const auto& res = c->parser->get();
    if (res.result_int() != 200 || !res.keep_alive()) {
      return Failed(
          c, "answer", beast::error_code(),
          std::to_string(res.result_int()) + (res.keep_alive() ? "" : ", Connection: close"));
    }
    c->parser.reset();
    c->buffer = beast::flat_buffer();
    c->open = true;
    ++ready_;
    // Completes only when the server closes the connection.
    c->socket.async_read_some(net::buffer(&c->probe, 1), [this, c](beast::error_code, size_t) {
      if (releasing_) return;
      c->open = false;
      if (closed_by_server_++ == 0) {
        std::fprintf(stderr, "hold-connections: the server closed a held connection\n");
      }
    });
    Done();
  }

  void Failed(Connection* c, const char* what, beast::error_code ec,
              const std::string& detail = "") {
    if (failed_++ < 5) {
      std::fprintf(stderr, "hold-connections: connection %zu failed (%s): %s\n", started_, what,
                   detail.empty() ? ec.message().c_str() : detail.c_str());
    }
    beast::error_code ignored;
    c->socket.close(ignored);
    Done();
  }

  // One more connection settled: start the next, or report when all have.
  void Done() {
    OpenNext();
    if (ready_ + failed_ == o_.connections) {
      const double s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      std::fprintf(stderr, "hold-connections: %zu open, %zu failed, in %.2f s; holding them\n",
                   ready_, failed_, s);
      std::printf("ready open=%zu failed=%zu seconds=%.2f\n", ready_, failed_, s);
      std::fflush(stdout);
    }
  }

  const HoldConnectionsOptions o_;
  net::io_context ioc_;
  tcp::endpoint endpoint_;
  net::signal_set signals_;
  std::string request_;
  std::vector<std::unique_ptr<Connection>> connections_;
  size_t started_ = 0;
  size_t ready_ = 0;
  size_t failed_ = 0;
  size_t closed_by_server_ = 0;
  bool releasing_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

int HoldConnections(const HoldConnectionsOptions& o) {
  if (o.port == 0 || o.connections == 0 || o.parallel == 0) {
    std::fprintf(stderr,
                 "hold-connections: --port, --connections and --parallel must be positive\n");
    return 1;
  }
  // One descriptor per connection, plus a few: raise the soft limit as far as the hard one.
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur < o.connections + 32) {
    std::fprintf(stderr,
                 "hold-connections: %zu connections need more descriptors than the limit of %llu\n",
                 o.connections, static_cast<unsigned long long>(limit.rlim_cur));
    return 1;
  }
  ConnectionHolder holder(o);
  return holder.Run();
}

}  // namespace homeport::bench
