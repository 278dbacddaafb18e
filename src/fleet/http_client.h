// HttpClient: the simulator's HTTP/1.1 client on Boost.Beast. A fixed number of lanes, each one
// keep-alive connection carrying one request at a time, all driven by the caller's io_context
// on one thread — the concurrency bound is the lane count, not a thread count. Lanes reconnect
// by themselves, and a request that meets a keep-alive connection the server already closed is
// sent once more on a fresh one (every homeport POST is idempotent). https with CA verification,
// host name check and the manifest's public-key pins.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "homeport/agent.h"
#include "homeport/status.h"

namespace boost::asio {
class io_context;
}

namespace homeport::fleet {

// An http(s) URL taken apart: "https://[::1]:8443/v1/x?y" -> tls, "::1", "8443", "/v1/x?y".
struct HttpUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;  // path and query; "/" when the URL has none

  std::string Origin() const;  // "https://[::1]:8443"
};
// InvalidArgument for anything but http:// or https:// with a host.
Result<HttpUrl> ParseHttpUrl(std::string_view url);

struct HttpClientOptions {
  int lanes = 16;                                     // connections, one request in flight each
  std::chrono::milliseconds request_timeout{10'000};  // connect to last byte of the answer
  std::string ca_file;                                // PEM CAs for https; empty: the system's
  std::vector<std::string> tls_pins;                  // "sha256//<base64 SPKI digest>"; empty: none
};

class HttpClient {
 public:
  // A response of any HTTP status, or the transport failure: Unavailable (no answer — refused,
  // reset, timed out; retrying may help) or PermissionDenied (the server's TLS identity was
  // refused). Runs on the io_context's thread.
  using Done = std::function<void(Result<TransportResponse>)>;

  // Resolves the host of each of `base_urls` once, up front, so the loop never waits for DNS.
  // Requests may go only to those origins. Errors name the URL that cannot be resolved or the
  // CA file that cannot be read.
  static Result<std::unique_ptr<HttpClient>> Create(boost::asio::io_context& io,
                                                    const HttpClientOptions& options,
                                                    const std::vector<std::string>& base_urls);
  ~HttpClient();

  int lanes() const;
  // Posts `request` on `lane`, which must be idle (its previous Done has run). The request is
  // copied; `done` is called exactly once, never from inside Post.
  void Post(int lane, const TransportRequest& request, Done done);
  // Closes every connection; pending requests finish with an error.
  void Close();

  class Lane;

 private:
  struct Shared;
  HttpClient() = default;
  std::unique_ptr<Shared> shared_;
  std::vector<std::unique_ptr<Lane>> lanes_;
};

}  // namespace homeport::fleet
