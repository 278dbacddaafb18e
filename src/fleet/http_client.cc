// The lanes of HttpClient: connect (and TLS handshake), write, read, keep the connection for the
// next request unless the server closes it.
#include "fleet/http_client.h"

#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <map>
#include <optional>

#include "crypto/base64.h"

namespace homeport::fleet {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

constexpr const char* kHandshake = "TLS handshake";

// homeport answers are small JSON documents; anything near this is not one.
constexpr uint64_t kMaxResponseBodyBytes = 8 << 20;

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

std::string HostHeader(const HttpUrl& url) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  const bool default_port = url.port == (url.tls ? "443" : "80");
  return default_port ? host : host + ":" + url.port;
}

// The manifest's pins are curl's form: "sha256//" + Base64 of the SHA-256 of the server's
// DER-encoded SubjectPublicKeyInfo.
Status CheckPins(SSL* ssl, const std::vector<std::string>& pins) {
  if (pins.empty()) return Status::Ok();
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return Status::PermissionDenied("TLS: the server sent no certificate");
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(X509_get0_pubkey(cert), &der);
  X509_free(cert);
  if (length <= 0) return Status::PermissionDenied("TLS: unreadable server public key");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(length), digest);
  OPENSSL_free(der);
  const std::string pin = "sha256//" + crypto::Base64Encode(std::string_view(
                                           reinterpret_cast<char*>(digest), sizeof digest));
  if (std::find(pins.begin(), pins.end(), pin) != pins.end()) return Status::Ok();
  return Status::PermissionDenied("TLS: the server's public key " + pin +
                                  " is not one of the manifest's tls_pins");
}

}  // namespace

std::string HttpUrl::Origin() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(tls ? "https://" : "http://") + h + ":" + port;
}

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  const std::string original(url);
  auto bad = [&original](const std::string& why) {
    return Status::InvalidArgument("URL \"" + original + "\": " + why);
  };
  HttpUrl u;
  if (url.starts_with("http://")) {
    url.remove_prefix(7);
    u.port = "80";
  } else if (url.starts_with("https://")) {
    url.remove_prefix(8);
    u.tls = true;
    u.port = "443";
  } else {
    return bad("only http:// and https:// are supported");
  }
  const size_t end = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? "" : url.substr(end);
  rest = rest.substr(0, rest.find('#'));
  u.target = rest.empty() ? "/" : (rest.front() == '?' ? "/" : "") + std::string(rest);
  if (authority.find('@') != std::string_view::npos) return bad("user names are not supported");
  std::string_view port;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed '[' in the host");
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after the IPv6 address");
      port = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return bad("no host");
  if (!port.empty() || authority.ends_with(":")) {
    if (!IsDigits(port) || port.size() > 5 || std::stoi(std::string(port)) < 1 ||
        std::stoi(std::string(port)) > 65535) {
      return bad("bad port \"" + std::string(port) + "\"");
    }
    u.port = std::string(port);
  }
  return u;
}

struct HttpClient::Shared {
  Shared(net::io_context& io_context, HttpClientOptions o)
      : io(io_context), options(std::move(o)) {}
  net::io_context& io;
  const HttpClientOptions options;
  std::optional<ssl::context> tls;
  std::map<std::string, tcp::resolver::results_type> endpoints;  // by HttpUrl::Origin()
};

class HttpClient::Lane {
 public:
  explicit Lane(Shared& shared) : shared_(shared) {}

  void Post(const TransportRequest& request, Done done) {
    done_ = std::move(done);
    resent_ = false;
    auto url = ParseHttpUrl(request.url);
    if (!url.ok()) return CompleteLater(url.status());
    if (!shared_.endpoints.count(url->Origin())) {
      return CompleteLater(
          Status::InvalidArgument("no connection was prepared for " + url->Origin()));
    }
    if (url->tls && !shared_.tls)
      return CompleteLater(Status::Internal("https without a TLS context"));
    url_ = std::move(*url);
    request_ = {};
    request_.method(http::verb::post);
    request_.target(url_.target);
    request_.version(11);
    request_.set(http::field::host, HostHeader(url_));
    for (const auto& [name, value] : request.headers) request_.set(name, value);
    request_.body() = request.body;
    request_.keep_alive(true);
    request_.prepare_payload();
    deadline_ = std::chrono::steady_clock::now() + shared_.options.request_timeout;
    if (connected_origin_ == url_.Origin()) {
      reused_ = true;
      return Write();
    }
    Connect();
  }

  void Close() {
    if (tcp_stream_ || tls_stream_) {
      beast::error_code ignored;
      Lowest().socket().close(ignored);
    }
    connected_origin_.clear();
  }

 private:
  beast::tcp_stream& Lowest() {
    return tls_stream_ ? beast::get_lowest_layer(*tls_stream_) : *tcp_stream_;
  }

  template <class F>
  void WithStream(F&& f) {
    if (tls_stream_) {
      f(*tls_stream_);
    } else {
      f(*tcp_stream_);
    }
  }

  void Connect() {
    Close();
    tcp_stream_.reset();
    tls_stream_.reset();
    buffer_.consume(buffer_.size());
    reused_ = false;
    if (url_.tls) {
      tls_stream_.emplace(shared_.io, *shared_.tls);
      // Literal addresses are not sent as SNI (RFC 6066); they are still verified.
      if (!IsIpLiteral(url_.host)) {
        SSL_set_tlsext_host_name(tls_stream_->native_handle(), url_.host.c_str());
      }
      tls_stream_->set_verify_callback(ssl::host_name_verification(url_.host));
    } else {
      tcp_stream_.emplace(shared_.io);
    }
    Lowest().expires_at(deadline_);
    Lowest().async_connect(
        shared_.endpoints.at(url_.Origin()), [this](beast::error_code ec, const tcp::endpoint&) {
          if (ec) return Fail("connect", ec);
          if (!tls_stream_) return OnConnected();
          Lowest().expires_at(deadline_);
          tls_stream_->async_handshake(ssl::stream_base::client, [this](beast::error_code ec) {
            if (ec) return Fail(kHandshake, ec);
            OnConnected();
          });
        });
  }

  void OnConnected() {
    if (tls_stream_) {
      Status pinned = CheckPins(tls_stream_->native_handle(), shared_.options.tls_pins);
      if (!pinned.ok()) {
        Close();
        return Complete(pinned);
      }
    }
    connected_origin_ = url_.Origin();
    Write();
  }

  void Write() {
    Lowest().expires_at(deadline_);
    WithStream([this](auto& stream) {
      http::async_write(stream, request_, [this](beast::error_code ec, size_t) {
        if (ec) return StaleOrFail("write", ec, /*got_answer=*/false);
        Read();
      });
    });
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(kMaxResponseBodyBytes);
    Lowest().expires_at(deadline_);
    WithStream([this](auto& stream) {
      http::async_read(stream, buffer_, *parser_, [this](beast::error_code ec, size_t) {
        if (ec) return StaleOrFail("read", ec, parser_->got_some());
        OnResponse();
      });
    });
  }

  void OnResponse() {
    http::response<http::string_body> res = parser_->release();
    TransportResponse response;
    response.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      response.headers[std::move(name)] = std::string(field.value());
    }
    response.body = std::move(res.body());
    if (!res.keep_alive()) Close();
    Complete(std::move(response));
  }

  // A kept-alive connection the server closed while idle fails on first use, before any answer:
  // that request was never processed, so it goes out once more on a fresh connection.
  void StaleOrFail(const char* phase, beast::error_code ec, bool got_answer) {
    if (reused_ && !resent_ && !got_answer && ec != beast::error::timeout) {
      resent_ = true;
      return Connect();
    }
    Fail(phase, ec);
  }

  void Fail(const char* phase, beast::error_code ec) {
    Close();
    if (ec == beast::error::timeout) {
      return Complete(Status::Unavailable(std::string(phase) + ": timed out after " +
                                          std::to_string(shared_.options.request_timeout.count()) +
                                          " ms"));
    }
    const std::string what = std::string(phase) + ": " + ec.message();
    // A refused certificate will be refused again; the agent does not retry that either.
    if (std::string_view(phase) == kHandshake && ec.category() == net::error::get_ssl_category()) {
      return Complete(Status::PermissionDenied(what));
    }
    Complete(Status::Unavailable(what));
  }

  void Complete(Result<TransportResponse> result) {
    Done done = std::move(done_);
    done_ = nullptr;
    done(std::move(result));
  }

  void CompleteLater(Status status) {
    net::post(shared_.io, [this, status] { Complete(status); });
  }

  Shared& shared_;
  std::optional<beast::tcp_stream> tcp_stream_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream_;
  std::string connected_origin_;  // empty: no usable connection
  HttpUrl url_;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  beast::flat_buffer buffer_;
  std::chrono::steady_clock::time_point deadline_;
  Done done_;
  bool reused_ = false;  // the request went out on a connection that had answered before
  bool resent_ = false;  // ...and was already sent once more on a fresh one
};

Result<std::unique_ptr<HttpClient>> HttpClient::Create(net::io_context& io,
                                                       const HttpClientOptions& options,
                                                       const std::vector<std::string>& base_urls) {
  if (options.lanes < 1) return Status::InvalidArgument("an HTTP client needs at least one lane");
  std::unique_ptr<HttpClient> client(new HttpClient());
  client->shared_ = std::make_unique<Shared>(io, options);
  Shared& shared = *client->shared_;
  tcp::resolver resolver(io);
  for (const std::string& base : base_urls) {
    HOMEPORT_ASSIGN_OR_RETURN(HttpUrl url, ParseHttpUrl(base));
    if (shared.endpoints.count(url.Origin())) continue;
    beast::error_code ec;
    auto endpoints = resolver.resolve(url.host, url.port, ec);
    if (ec) {
      return Status::Unavailable("cannot resolve " + url.host + " (from " + base +
                                 "): " + ec.message());
    }
    shared.endpoints.emplace(url.Origin(), std::move(endpoints));
    if (url.tls && !shared.tls) {
      shared.tls.emplace(ssl::context::tls_client);
      SSL_CTX_set_min_proto_version(shared.tls->native_handle(), TLS1_2_VERSION);
      shared.tls->set_verify_mode(ssl::verify_peer);
      if (options.ca_file.empty()) {
        shared.tls->set_default_verify_paths(ec);
      } else {
        shared.tls->load_verify_file(options.ca_file, ec);
      }
      if (ec) {
        return Status::InvalidArgument(
            "cannot load trusted CAs" +
            (options.ca_file.empty() ? std::string() : " from " + options.ca_file) + ": " +
            ec.message());
      }
    }
  }
  for (int i = 0; i < options.lanes; ++i) client->lanes_.push_back(std::make_unique<Lane>(shared));
  return client;
}

HttpClient::~HttpClient() = default;

int HttpClient::lanes() const { return static_cast<int>(lanes_.size()); }

void HttpClient::Post(int lane, const TransportRequest& request, Done done) {
  lanes_[static_cast<size_t>(lane)]->Post(request, std::move(done));
}

void HttpClient::Close() {
  for (auto& lane : lanes_) lane->Close();
}

}  // namespace homeport::fleet
