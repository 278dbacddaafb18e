// open-loop (see open_loop.h): one thread, one io_context, a timer that releases requests when
// they are due and N connections that each carry one request at a time (HTTP/1.1 keep-alive,
// no pipelining, as a device's client would).
#include "open_loop.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "request_lines.h"

namespace homeport::bench {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

class OpenLoopRun {
 public:
  OpenLoopRun(const OpenLoopOptions& o, std::vector<std::string> requests)
      : o_(o), requests_(std::move(requests)), timer_(ioc_), drain_(ioc_) {
    total_ = static_cast<size_t>(o.rate * o.seconds);
    interval_ = std::chrono::duration<double>(1.0 / o.rate);
  }

  // Opens the connections; false (with a message on stderr) if one cannot be opened.
  bool Connect() {
    tcp::endpoint endpoint(net::ip::make_address(o_.host), o_.port);
    for (size_t i = 0; i < o_.connections; ++i) {
      auto c = std::make_unique<Connection>(ioc_);
      beast::error_code ec;
      c->socket.connect(endpoint, ec);
      if (!ec) c->socket.set_option(tcp::no_delay(true), ec);
      if (ec) {
        std::fprintf(stderr, "open-loop: cannot connect to %s:%u: %s\n", o_.host.c_str(), o_.port,
                     ec.message().c_str());
        return false;
      }
      idle_.push_back(c.get());
      connections_.push_back(std::move(c));
    }
    return true;
  }

  void Run() {
    start_ = Clock::now() + std::chrono::milliseconds(10);
    latencies_us_.reserve(total_);
    service_us_.reserve(total_);
    timer_.expires_at(start_);
    timer_.async_wait([this](beast::error_code ec) { OnTimer(ec); });
    ioc_.run();
  }

  int Report() {
    const double duration = std::chrono::duration<double>(end_ - start_).count();
    const size_t completed = latencies_us_.size();
    if (completed == 0) {
      std::fprintf(stderr, "open-loop: no request completed\n");
      return 1;
    }
    std::sort(latencies_us_.begin(), latencies_us_.end());
    std::sort(service_us_.begin(), service_us_.end());
    auto pct = [](const std::vector<int64_t>& v, double q) {
      const size_t rank = static_cast<size_t>(q * static_cast<double>(v.size()) + 0.999999);
      return v[std::min(v.size(), std::max<size_t>(rank, 1)) - 1];
    };
    std::fprintf(stderr,
                 "open-loop: %zu requests due at %.0f/s over %zu connections; %zu completed in "
                 "%.2f s, non-2xx %zu, errors %zu; latency from the due time p50 %.2f ms, p90 "
                 "%.2f ms, p99 %.2f ms, max %.2f ms; most requests waiting for a connection %zu\n",
                 total_, o_.rate, o_.connections, completed, duration, non2xx_, errors_,
                 pct(latencies_us_, 0.5) / 1e3, pct(latencies_us_, 0.9) / 1e3,
                 pct(latencies_us_, 0.99) / 1e3, latencies_us_.back() / 1e3, max_waiting_);
    std::printf(
        "rate=%.0f connections=%zu scheduled=%zu completed=%zu non2xx=%zu errors=%zu "
        "duration_us=%.0f p50_us=%lld p90_us=%lld p99_us=%lld p999_us=%lld max_us=%lld "
        "service_p50_us=%lld service_p99_us=%lld max_waiting=%zu\n",
        o_.rate, o_.connections, total_, completed, non2xx_, errors_, duration * 1e6,
        static_cast<long long>(pct(latencies_us_, 0.5)),
        static_cast<long long>(pct(latencies_us_, 0.9)),
        static_cast<long long>(pct(latencies_us_, 0.99)),
        static_cast<long long>(pct(latencies_us_, 0.999)),
        static_cast<long long>(latencies_us_.back()), static_cast<long long>(pct(service_us_, 0.5)),
        static_cast<long long>(pct(service_us_, 0.99)), max_waiting_);
    return errors_ == 0 ? 0 : 1;
  }

 private:
  struct Connection {
    explicit Connection(net::io_context& ioc) : socket(ioc) {}
    tcp::socket socket;
    beast::flat_buffer buffer;
    std::optional<http::response_parser<http::string_body>> parser;
    size_t index = 0;  // the request it carries
    Clock::time_point sent;
  };

  Clock::time_point Due(size_t i) const {
    return start_ + std::chrono::duration_cast<Clock::duration>(interval_ * static_cast<double>(i));
  }

  void OnTimer(beast::error_code ec) {
    if (ec) return;
    const auto now = Clock::now();
    while (next_ < total_ && Due(next_) <= now) waiting_.push_back(next_++);
    max_waiting_ = std::max(max_waiting_, waiting_.size());
    Dispatch();
    if (next_ < total_) {
      timer_.expires_at(Due(next_));
      timer_.async_wait([this](beast::error_code e) { OnTimer(e); });
    } else {
      // Whatever is still out gets 30 s; then it counts as an error.
      drain_.expires_after(std::chrono::seconds(30));
      drain_.async_wait([this](beast::error_code e) {
        if (e) return;
        errors_ += in_flight_ + waiting_.size();
        Finish();
      });
      MaybeFinish();
    }
  }

  void Dispatch() {
    while (!idle_.empty() && !waiting_.empty()) {
      Connection* c = idle_.back();
      idle_.pop_back();
      c->index = waiting_.front();
      waiting_.pop_front();
      Send(c);
    }
  }

  void Send(Connection* c) {
    ++in_flight_;
    c->sent = Clock::now();
    net::async_write(
        c->socket, net::buffer(requests_[c->index]), [this, c](beast::error_code ec, size_t) {
          if (ec) return Failed(c, "write", ec);
          c->parser.emplace();
          c->parser->body_limit(1 << 20);
          http::async_read(c->socket, c->buffer, *c->parser,
                           [this, c](beast::error_code e, size_t) { OnResponse(c, e); });
        });
  }

  void OnResponse(Connection* c, beast::error_code ec) {
    if (ec) return Failed(c, "read", ec);
    const auto now = Clock::now();
    --in_flight_;
    latencies_us_.push_back(
        std::chrono::duration_cast<std::chrono::microseconds>(now - Due(c->index)).count());
    service_us_.push_back(
        std::chrono::duration_cast<std::chrono::microseconds>(now - c->sent).count());
    const auto& res = c->parser->get();
    if (res.result_int() / 100 != 2) {
      if (non2xx_++ == 0) {
        std::fprintf(stderr, "open-loop: first non-2xx answer: %u %s\n", res.result_int(),
                     res.body().c_str());
      }
    }
    if (!res.keep_alive()) {
      Failed(c, "keep-alive", http::error::end_of_stream, /*in_flight=*/false);
      return;
    }
    idle_.push_back(c);
    Dispatch();
    MaybeFinish();
  }

  // A connection that failed is not used again; its request counts as an error.
  void Failed(Connection* c, const char* what, beast::error_code ec, bool in_flight = true) {
    if (in_flight) {
      --in_flight_;
      ++errors_;
    }
    if (++failed_connections_ == 1) {
      std::fprintf(stderr, "open-loop: a connection failed (%s): %s\n", what, ec.message().c_str());
    }
    beast::error_code ignored;
    c->socket.close(ignored);
    if (failed_connections_ == connections_.size()) {
      errors_ += waiting_.size() + (total_ - next_);
      waiting_.clear();
      next_ = total_;
      Finish();
      return;
    }
    MaybeFinish();
  }

  void MaybeFinish() {
    if (next_ == total_ && waiting_.empty() && in_flight_ == 0) Finish();
  }

  void Finish() {
    if (finished_) return;
    finished_ = true;
    end_ = Clock::now();
    timer_.cancel();
    drain_.cancel();
    for (auto& c : connections_) {
      beast::error_code ignored;
      c->socket.close(ignored);
    }
  }

  const OpenLoopOptions o_;
  const std::vector<std::string> requests_;
  net::io_context ioc_;
  net::steady_timer timer_;
  net::steady_timer drain_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> idle_;
  std::deque<size_t> waiting_;  // due, not yet sent: every connection was busy
  size_t total_ = 0;
  size_t next_ = 0;
  size_t in_flight_ = 0;
  size_t max_waiting_ = 0;
  size_t non2xx_ = 0;
  size_t errors_ = 0;
  size_t failed_connections_ = 0;
  bool finished_ = false;
  std::chrono::duration<double> interval_{};
  Clock::time_point start_, end_;
  std::vector<int64_t> latencies_us_;
  std::vector<int64_t> service_us_;
};

}  // namespace

int OpenLoop(const OpenLoopOptions& o) {
  if (o.rate <= 0 || o.seconds <= 0 || o.connections == 0 || o.port == 0) {
    std::fprintf(stderr,
                 "open-loop: --port, --rate, --seconds and --connections must be positive\n");
    return 1;
  }
  auto lines = ReadRequestLines(o.requests);
  if (!lines) {
    std::fprintf(stderr, "open-loop: cannot read requests from %s\n", o.requests.c_str());
    return 1;
  }
  const size_t needed = static_cast<size_t>(o.rate * o.seconds);
  if (lines->size() < needed) {
    std::fprintf(stderr,
                 "open-loop: %zu requests due but only %zu lines in %s (each is sent once)\n",
                 needed, lines->size(), o.requests.c_str());
    return 1;
  }
  // Every request formatted before the clock starts.
  std::vector<std::string> requests;
  requests.reserve(needed);
  const std::string host = o.host + ":" + std::to_string(o.port);
  for (size_t i = 0; i < needed; ++i) {
    const RequestLine& r = (*lines)[i];
    std::string req =
        "POST " + r.path + " HTTP/1.1\r\nHost: " + host +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(r.body.size()) +
        "\r\n";
    if (!r.signature.empty()) req += "X-Homeport-Signature: " + r.signature + "\r\n";
    requests.push_back(req + "\r\n" + r.body);
  }
  lines.reset();
  OpenLoopRun run(o, std::move(requests));
  if (!run.Connect()) return 1;
  run.Run();
  return run.Report();
}

}  // namespace homeport::bench
