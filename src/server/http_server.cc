// Beast sessions: wait for a request's first bytes (an idle connection, which may give way at
// the connection cap), read its header (to refuse oversized or ambiguously framed bodies
// early and answer "Expect: 100-continue"), read the body, dispatch, write the answer, repeat
// while keep-alive holds. Each phase runs under its own deadline.
#include "server/http_server.h"

#include <sys/resource.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "common/text.h"
#include "server/connection_limiter.h"
#include "server/request_framing.h"

namespace homeport {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Cut = ServerMetrics::ConnectionCut;

class HttpServer::Impl {
 public:
  Impl(const Router& router, HttpServerOptions options, ServerMetrics* metrics)
      : router_(router),
        options_(std::move(options)),
        metrics_(metrics),
        acceptor_(net::make_strand(ioc_)) {}

  // Sessions still queued in ioc_ are destroyed with it and reach back into the members
  // declared before it, which therefore outlive it.
  const Router& router_;
  const HttpServerOptions options_;
  ServerMetrics* const metrics_;
  std::unique_ptr<ConnectionLimiter> limiter_;
  std::atomic<int> refusing_{0};  // connections being answered 503 at the cap
  std::atomic<bool> draining_{false};
  std::atomic<int64_t> in_flight_{0};
  net::io_context ioc_;
  // The TLS context new connections are accepted under; Reload swaps it.
  std::mutex tls_mu_;
  std::shared_ptr<ssl::context> tls_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_{acceptor_.get_executor()};
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;

  Status Start();
  void Accept();
  void CountCut(Cut why) {
    if (metrics_) metrics_->CountConnectionCut(why);
  }
  void CountOpen(int64_t delta) {
    if (metrics_) metrics_->AddOpenConnections(delta);
  }
};

namespace {

// Answers 503 to at most this many connections at a time past the cap (each lingers a moment
// so the client reads the answer); beyond that a newcomer is closed without one.
constexpr int kMaxRefusingConnections = 64;
// The first read of a request: small, as an idle connection keeps its buffer.
constexpr size_t kFirstReadBytes = 1024;

// A server TLS context from the options' files, profile and minimum version; errors name the
// file or the flag at fault.
Result<std::shared_ptr<ssl::context>> MakeTlsContext(const HttpServerOptions& o) {
  auto tls = std::make_shared<ssl::context>(ssl::context::tls_server);
  tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  SSL_CTX* ctx = tls->native_handle();
  int min_version = o.tls_min_version == "1.2"   ? TLS1_2_VERSION
                    : o.tls_min_version == "1.3" ? TLS1_3_VERSION
                                                 : 0;
  if (min_version == 0) {
    return Status::InvalidArgument("--tls-min-version must be 1.2 or 1.3, not \"" +
                                   o.tls_min_version + "\"");
  }
  SSL_CTX_set_min_proto_version(ctx, min_version);
  if (SSL_CTX_set_cipher_list(ctx, o.tls_ciphers.c_str()) != 1) {
    return Status::InvalidArgument("--tls-ciphers: no TLS 1.2 suite OpenSSL knows in \"" +
                                   o.tls_ciphers + "\"");
  }
  beast::error_code ec;
  tls->use_certificate_chain_file(o.tls_cert_file, ec);
  if (ec) {
    return Status::InvalidArgument("cannot load TLS certificate " + o.tls_cert_file + ": " +
                                   ec.message());
  }
  tls->use_private_key_file(o.tls_key_file, ssl::context::pem, ec);
  if (ec) {
    return Status::InvalidArgument("cannot load TLS key " + o.tls_key_file + ": " + ec.message());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Status::InvalidArgument("TLS key " + o.tls_key_file + " does not match certificate " +
                                   o.tls_cert_file);
  }
  return tls;
}

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  // `keeps` lives as long as the session: the TLS context it was accepted under, which a
  // reload may meanwhile have replaced for new connections.
  template <class... Args>
  Session(HttpServer::Impl& server, std::shared_ptr<void> keeps, Args&&... args)
      : server_(server),
        keeps_(std::move(keeps)),
        stream_(std::forward<Args>(args)...),
        buffer_(kReadBufferBytes) {}

  ~Session() {
    Count(false);
    if (id_) {
      server_.limiter_->Release(*id_);
      server_.CountOpen(-1);
    }
    if (refusing_) --server_.refusing_;
  }

  // Takes a place under the connection cap (perhaps closing an idle connection for it) and
  // starts reading; or, every place busy, refuses the connection.
  void Start() {
    std::weak_ptr<Session> weak = this->shared_from_this();
    ConnectionLimiter::Admission admission = server_.limiter_->Admit([weak] {
      if (auto self = weak.lock()) {
        net::post(self->stream_.get_executor(), [self] {
          self->server_.CountCut(Cut::kIdleEvicted);
          beast::get_lowest_layer(self->stream_).close();
        });
      }
    });
    if (!admission.id) return Refuse();
    id_ = admission.id;
    server_.CountOpen(1);
    Run();
  }

 private:
  enum class Phase { kAwaitingRequest, kHeader, kBody, kHandling, kWriting };

  void Run() {
    // The header deadline of the first request runs from accept, through a TLS handshake.
    beast::get_lowest_layer(stream_).expires_after(server_.options_.header_timeout);
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      net::dispatch(stream_.get_executor(),
                    [self = this->shared_from_this()] { self->ReadRequest(); });
    } else {
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec == beast::error::timeout) {
                                  self->server_.CountCut(Cut::kHeaderTimeout);
                                }
                                if (!ec) self->ReadRequest();
                              });
    }
  }

  // At the cap with every connection busy: a 503 the client can read, then close. Under TLS
  // that would cost a handshake first, so the connection is just closed.
  void Refuse() {
    server_.CountCut(Cut::kRefusedAtCap);
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      if (++server_.refusing_ <= kMaxRefusingConnections) {
        refusing_ = true;
        return net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
          self->RefuseAndClose(ErrorResponse(
              ErrorCode::kUnavailable, "the server is at its connection limit; retry shortly"));
        });
      }
      --server_.refusing_;
    }
  }

  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    parser_->header_limit(kMaxHeaderBytes);
    if (buffer_.size() > 0) {  // pipelined: the next request is already here
      phase_ = Phase::kHeader;
      beast::get_lowest_layer(stream_).expires_after(server_.options_.header_timeout);
      return ReadHeader();
    }
    if (requests_ > 0) {
      server_.limiter_->MarkIdle(*id_);
      beast::get_lowest_layer(stream_).expires_after(server_.options_.idle_timeout);
    }
    phase_ = Phase::kAwaitingRequest;
    buffer_.shrink_to_fit();  // an idle connection holds no request-sized buffer
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->OnFirstBytes(ec, n);
                            });
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (ec) {
      if (ec == beast::error::timeout) {
        server_.CountCut(requests_ > 0 ? Cut::kIdleTimeout : Cut::kHeaderTimeout);
      }
      return;  // closed by the client, by a deadline, or to make room for a newcomer
    }
    buffer_.commit(n);
    // A connection chosen to give way just now loses what it sent, as any idle close would.
    if (!server_.limiter_->MarkActive(*id_)) return beast::get_lowest_layer(stream_).close();
    phase_ = Phase::kHeader;
    if (requests_ > 0) {
      beast::get_lowest_layer(stream_).expires_after(server_.options_.header_timeout);
    }
    ReadHeader();
  }

  void ReadHeader() {
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    ++requests_;
    // From its header on, a request is in flight: a graceful stop waits for its answer.
    Count(true);
    auto& req = parser_->get();
    std::vector<std::string_view> transfer_encodings;
    for (const auto& field : req) {
      if (field.name() == http::field::transfer_encoding)
        transfer_encodings.push_back(field.value());
    }
    Status framing =
        CheckRequestFraming(transfer_encodings, req.count(http::field::content_length) > 0);
    if (!framing.ok()) {
      server_.CountCut(Cut::kMalformed);
      return RefuseAndClose(ErrorResponse(ErrorCode::kBadRequest, framing.message()));
    }
    auto length = parser_->content_length();
    if (length && *length > kMaxBodyBytes) {
      server_.CountCut(Cut::kMalformed);
      return RefuseAndClose(ErrorResponse(ErrorCode::kTooLarge, "body exceeds 1 MB"));
    }
    phase_ = Phase::kBody;
    beast::get_lowest_layer(stream_).expires_after(server_.options_.body_timeout);
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      continue_.emplace(http::status::continue_, req.version());
      return http::async_write(stream_, *continue_,
                               [self = this->shared_from_this()](beast::error_code ec, size_t) {
                                 if (ec) return self->OnReadError(ec);
                                 self->ReadBody();
                               });
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == beast::error::timeout) {  // the stream closed the socket at the deadline
      server_.CountCut(phase_ == Phase::kBody ? Cut::kBodyTimeout : Cut::kHeaderTimeout);
      return Count(false);
    }
    if (ec == http::error::body_limit) {
      server_.CountCut(Cut::kMalformed);
      return RefuseAndClose(ErrorResponse(ErrorCode::kTooLarge, "body exceeds 1 MB"));
    }
    if (ec == http::error::header_limit) {
      server_.CountCut(Cut::kMalformed);
      return RefuseAndClose(
          ErrorResponse(ErrorCode::kBadRequest, "request line and headers exceed 16 KB"));
    }
    if (ec == http::error::buffer_overflow) {
      // Only a chunk-size line (with its extensions) or a trailer can outgrow the buffer.
      server_.CountCut(Cut::kMalformed);
      return RefuseAndClose(
          ErrorResponse(ErrorCode::kBadRequest, "a chunk-size line or the trailer exceeds 32 KB"));
    }
    if (ec.category() == beast::error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      server_.CountCut(Cut::kMalformed);
      return RefuseAndClose(
          ErrorResponse(ErrorCode::kBadRequest, "malformed HTTP request: " + ec.message()));
    }
    Count(false);  // the client went away mid-request: nothing to answer
    Close();
  }

  // Keeps HttpServer::InFlight() exact: each request is counted once, from its header (or its
  // refusal) until its answer is written or the client is gone.
  void Count(bool in_flight) {
    if (in_flight == counted_) return;
    counted_ = in_flight;
    server_.in_flight_ += in_flight ? 1 : -1;
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    phase_ = Phase::kHandling;
    http::request<http::string_body> req = parser_->release();
    keep_alive_ = req.keep_alive() && !server_.draining_;
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.headers.reserve(8);
    for (const auto& field : req) {
      request.headers.emplace_back(AsciiLower(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(req.body());
    head_ = request.method == "HEAD";
    Respond respond = [self = this->shared_from_this()](HttpResponse r) {
      net::post(self->stream_.get_executor(),
                [self, r = std::move(r)]() mutable { self->Write(std::move(r)); });
    };
    // Exceptions stop here: one request must never take the process down.
    try {
      server_.router_.Handle(request, respond);
    } catch (const std::exception&) {
      respond(JsonResponse(500, {{"error", "internal"}, {"message", "internal error"}}));
    }
  }

  void RefuseAndClose(HttpResponse r) {
    keep_alive_ = false;
    head_ = false;
    Count(true);
    Write(std::move(r));
  }

  void Write(HttpResponse r) {
    res_ = {};
    res_.version(11);
    res_.result(static_cast<unsigned>(r.status));
    res_.set(http::field::content_type, r.content_type);
    res_.set(http::field::cache_control, "no-store");
    for (auto& [name, value] : r.headers) res_.set(name, value);
    res_.keep_alive(keep_alive_ && !server_.draining_);
    res_.body() = std::move(r.body);
    res_.prepare_payload();
    if (head_) res_.body().clear();  // Content-Length stays that of the GET answer
    phase_ = Phase::kWriting;
    beast::get_lowest_layer(stream_).expires_after(server_.options_.body_timeout);
    http::async_write(stream_, res_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        self->Count(false);
                        if (ec == beast::error::timeout) self->server_.CountCut(Cut::kBodyTimeout);
                        if (ec) return self->Close();
                        bool keep_alive = self->res_.keep_alive();
                        self->res_ = {};  // an idle connection keeps no answer
                        if (!keep_alive) return self->CloseAfterResponse();
                        self->ReadRequest();
                      });
  }

  // A lingering close (RFC 9112 section 9.6): after the last response, stop sending but read
  // and discard what the client may still be sending (the rest of a refused 413 body, say)
  // until it closes too. Closing with unread data would make the kernel answer with a reset,
  // and the client would see "connection reset" instead of the response. Bounded in time and
  // bytes, after which the socket is closed as before.
  void CloseAfterResponse() {
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      return Close();
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      if (ec) return;
      stream_.expires_after(std::chrono::seconds(5));
      linger_buffer_.resize(16 * 1024);
      Linger(0);
    }
  }

  void Linger(size_t discarded) {
    constexpr size_t kMaxLingerBytes = 16 << 20;
    if (discarded > kMaxLingerBytes) return;
    stream_.async_read_some(
        net::buffer(linger_buffer_),
        [self = this->shared_from_this(), discarded](beast::error_code ec, size_t n) {
          if (!ec) self->Linger(discarded + n);
        });
  }

  void Close() {
    beast::error_code ec;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    } else {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    }
  }

  HttpServer::Impl& server_;
  std::shared_ptr<void> keeps_;
  Stream stream_;
  beast::flat_buffer buffer_;  // at most kReadBufferBytes, whatever the client sends
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  http::response<http::string_body> res_;
  std::vector<char> linger_buffer_;  // allocated only for a lingering close
  bool keep_alive_ = true;
  bool head_ = false;
  bool counted_ = false;                     // this session's request is in HttpServer::InFlight()
  std::optional<ConnectionLimiter::Id> id_;  // its place under the cap; empty if refused
  bool refusing_ = false;                    // counted in Impl::refusing_
  int requests_ = 0;                         // headers read on this connection
  Phase phase_ = Phase::kAwaitingRequest;
};

}  // namespace

Status ValidateHttpServerOptions(const HttpServerOptions& o) {
  // An hour is far beyond any honest client and keeps the seconds clear of overflow.
  constexpr std::chrono::seconds kLongest{3600};
  struct Deadline {
    const char* flag;
    std::chrono::seconds value;
  };
  for (const auto& [flag, value] :
       {Deadline{"--header-timeout", o.header_timeout}, Deadline{"--idle-timeout", o.idle_timeout},
        Deadline{"--body-timeout", o.body_timeout}}) {
    if (value.count() < 1 || value > kLongest) {
      return Status::InvalidArgument(std::string(flag) + " must be 1 to 3600 seconds, not " +
                                     std::to_string(value.count()));
    }
  }
  return Status::Ok();
}

Status HttpServer::Impl::Start() {
  HOMEPORT_RETURN_IF_ERROR(ValidateHttpServerOptions(options_));
  size_t max_connections = options_.max_connections;
  if (max_connections == 0) {
    rlimit l{};
    uint64_t open_files = getrlimit(RLIMIT_NOFILE, &l) == 0 ? l.rlim_cur : 1024;
    HOMEPORT_ASSIGN_OR_RETURN(max_connections, ResolveMaxConnections(0, open_files));
  }
  limiter_ = std::make_unique<ConnectionLimiter>(max_connections);
  if (metrics_) metrics_->SetMaxConnections(max_connections);
  if (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty()) {
    if (options_.tls_cert_file.empty() || options_.tls_key_file.empty()) {
      return Status::InvalidArgument("TLS needs both --tls-cert and --tls-key");
    }
    HOMEPORT_ASSIGN_OR_RETURN(tls_, MakeTlsContext(options_));
  }
  beast::error_code ec;
  auto address = net::ip::make_address(options_.host, ec);
  if (ec) return Status::InvalidArgument("not an IP address to listen on: " + options_.host);
  tcp::endpoint endpoint(address, options_.port);
  std::string where = options_.host + ":" + std::to_string(options_.port);
  if (acceptor_.open(endpoint.protocol(), ec); ec)
    return Status::IoError("cannot open socket: " + ec.message());
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (acceptor_.bind(endpoint, ec); ec)
    return Status::IoError("cannot listen on " + where + ": " + ec.message());
  if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) {
    return Status::IoError("cannot listen on " + where + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  Accept();
  int n = options_.threads > 0
              ? options_.threads
              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { ioc_.run(); });
  return Status::Ok();
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Out of descriptors (EMFILE) and the like: wait a moment instead of spinning.
      accept_retry_.expires_after(std::chrono::milliseconds(100));
      accept_retry_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && acceptor_.is_open()) Accept();
      });
      return;
    }
    socket.set_option(tcp::no_delay(true), ec);
    std::shared_ptr<ssl::context> tls;
    {
      std::lock_guard lock(tls_mu_);
      tls = tls_;
    }
    if (tls) {
      ssl::context& context = *tls;
      std::make_shared<Session<ssl::stream<beast::tcp_stream>>>(*this, std::move(tls),
                                                                std::move(socket), context)
          ->Start();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(*this, nullptr, std::move(socket))->Start();
    }
    Accept();
  });
}

HttpServer::HttpServer(const Router& router, HttpServerOptions options, ServerMetrics* metrics)
    : impl_(std::make_unique<Impl>(router, std::move(options), metrics)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() { return impl_->Start(); }
uint16_t HttpServer::port() const { return impl_->port_; }
bool HttpServer::tls() const { return !impl_->options_.tls_cert_file.empty(); }

Status HttpServer::ReloadTls() {
  if (!tls()) return Status::Ok();
  HOMEPORT_ASSIGN_OR_RETURN(auto fresh, MakeTlsContext(impl_->options_));
  std::lock_guard lock(impl_->tls_mu_);
  impl_->tls_ = std::move(fresh);
  return Status::Ok();
}

Status CheckTlsOptions(const HttpServerOptions& o) {
  if (o.tls_cert_file.empty() && o.tls_key_file.empty()) return Status::Ok();
  return MakeTlsContext(o).status();
}
size_t HttpServer::max_connections() const {
  return impl_->limiter_ ? impl_->limiter_->max_connections() : 0;
}
int64_t HttpServer::InFlight() const { return impl_->in_flight_; }

void HttpServer::StopAccepting() {
  impl_->draining_ = true;
  net::post(impl_->acceptor_.get_executor(), [impl = impl_.get()] {
    beast::error_code ec;
    impl->accept_retry_.cancel();
    impl->acceptor_.close(ec);
  });
}

void HttpServer::Stop() {
  if (impl_->threads_.empty()) return;
  impl_->ioc_.stop();
  for (auto& t : impl_->threads_) t.join();
  impl_->threads_.clear();
}

}  // namespace homeport
