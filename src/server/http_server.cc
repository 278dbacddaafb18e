// Beast sessions: read a request (header first, to refuse oversized bodies early and answer
// "Expect: 100-continue"), dispatch, write the answer, repeat while keep-alive holds.
#include "server/http_server.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <thread>
#include <vector>

namespace homeport {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

class HttpServer::Impl {
 public:
  Impl(const Router& router, HttpServerOptions options)
      : router_(router), options_(std::move(options)), acceptor_(net::make_strand(ioc_)) {}

  const Router& router_;
  const HttpServerOptions options_;
  net::io_context ioc_;
  std::optional<ssl::context> tls_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_{acceptor_.get_executor()};
  std::vector<std::thread> threads_;
  std::atomic<bool> draining_{false};
  std::atomic<int64_t> in_flight_{0};
  uint16_t port_ = 0;

  Status Start();
  void Accept();
};

namespace {

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <class... Args>
  Session(HttpServer::Impl& server, Args&&... args)
      : server_(server), stream_(std::forward<Args>(args)...) {}

  void Run() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->ReadHeader(); });
    } else {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(15));
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->ReadHeader();
                              });
    }
  }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    parser_->header_limit(16 * 1024);
    beast::get_lowest_layer(stream_).expires_after(server_.options_.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    // From its header on, a request is in flight: a graceful stop waits for its answer.
    Count(true);
    auto& req = parser_->get();
    auto length = parser_->content_length();
    if (length && *length > kMaxBodyBytes) {
      return RefuseAndClose(ErrorResponse(ErrorCode::kTooLarge, "body exceeds 1 MB"));
    }
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      continue_.emplace(http::status::continue_, req.version());
      return http::async_write(stream_, *continue_,
                               [self = this->shared_from_this()](beast::error_code ec, size_t) {
                                 if (ec) return self->Count(false);
                                 self->ReadBody();
                               });
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return RefuseAndClose(ErrorResponse(ErrorCode::kTooLarge, "body exceeds 1 MB"));
    }
    if (ec.category() == beast::error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream &&
        ec != http::error::partial_message) {
      HttpResponse r = JsonResponse(400, {{"error", "bad_request"},
                                          {"message", "malformed HTTP request: " + ec.message()}});
      return RefuseAndClose(std::move(r));
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
    http::request<http::string_body> req = parser_->release();
    keep_alive_ = req.keep_alive() && !server_.draining_;
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.headers.reserve(8);
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(name), std::string(field.value()));
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
    http::async_write(stream_, res_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      self->Count(false);
      if (ec) return self->Close();
      if (!self->res_.keep_alive()) return self->CloseAfterResponse();
      self->ReadHeader();
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
    stream_.async_read_some(net::buffer(linger_buffer_),
                            [self = this->shared_from_this(), discarded](beast::error_code ec,
                                                                         size_t n) {
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
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  http::response<http::string_body> res_;
  std::vector<char> linger_buffer_;  // allocated only for a lingering close
  bool keep_alive_ = true;
  bool head_ = false;
  bool counted_ = false;  // this session's request is in HttpServer::InFlight()
};

}  // namespace

Status HttpServer::Impl::Start() {
  if (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty()) {
    if (options_.tls_cert_file.empty() || options_.tls_key_file.empty()) {
      return Status::InvalidArgument("TLS needs both --tls-cert and --tls-key");
    }
    tls_.emplace(ssl::context::tls_server);
    tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    tls_->use_certificate_chain_file(options_.tls_cert_file, ec);
    if (ec) return Status::InvalidArgument("cannot load TLS certificate " + options_.tls_cert_file + ": " + ec.message());
    tls_->use_private_key_file(options_.tls_key_file, ssl::context::pem, ec);
    if (ec) return Status::InvalidArgument("cannot load TLS key " + options_.tls_key_file + ": " + ec.message());
  }
  beast::error_code ec;
  auto address = net::ip::make_address(options_.host, ec);
  if (ec) return Status::InvalidArgument("not an IP address to listen on: " + options_.host);
  tcp::endpoint endpoint(address, options_.port);
  std::string where = options_.host + ":" + std::to_string(options_.port);
  if (acceptor_.open(endpoint.protocol(), ec); ec) return Status::IoError("cannot open socket: " + ec.message());
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (acceptor_.bind(endpoint, ec); ec) return Status::IoError("cannot listen on " + where + ": " + ec.message());
  if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) {
    return Status::IoError("cannot listen on " + where + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  Accept();
  int n = options_.threads > 0 ? options_.threads
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
    if (tls_) {
      std::make_shared<Session<ssl::stream<beast::tcp_stream>>>(*this, std::move(socket), *tls_)->Run();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket))->Run();
    }
    Accept();
  });
}

HttpServer::HttpServer(const Router& router, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() { return impl_->Start(); }
uint16_t HttpServer::port() const { return impl_->port_; }
bool HttpServer::tls() const { return impl_->tls_.has_value(); }
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
