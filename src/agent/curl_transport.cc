// HttpTransport over one libcurl easy handle, reused so that retries and later requests can
// keep the connection and TLS session.
#include <curl/curl.h>

#include <algorithm>
#include <memory>

#include "common/text.h"
#include "homeport/agent.h"

namespace homeport {
namespace {

// A server has no reason to answer an activation with more; refusing protects the device.
constexpr size_t kMaxResponseBody = 1 << 20;

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

CURLcode GlobalInit() {
  // curl_global_init is not thread-safe in older libcurl; a function-local static is.
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  return rc;
}

struct ResponseSink {
  TransportResponse response;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<ResponseSink*>(user);
  size_t n = size * count;
  if (sink->response.body.size() + n > kMaxResponseBody) {
    sink->too_large = true;
    return 0;  // aborts the transfer
  }
  sink->response.body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<ResponseSink*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  // An interim response (100 Continue) has its own header block: keep only the final one.
  if (line.substr(0, 5) == "HTTP/") {
    sink->response.headers.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  sink->response.headers[AsciiLower(line.substr(0, colon))] =
      std::string(TrimBlanks(line.substr(colon + 1)));
  return n;
}

bool HasHeader(const TransportRequest& request, std::string_view name) {
  return std::any_of(request.headers.begin(), request.headers.end(), [&](const auto& h) {
    return AsciiIEquals(h.first, name);
  });
}

Status CurlFailure(CURLcode rc, const char* error_buffer, const std::string& url) {
  std::string text =
      "POST " + url + ": " + (error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc));
  switch (rc) {
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_PEER_FAILED_VERIFICATION:
      return Status::PermissionDenied(text);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_SSL_CACERT_BADFILE:
      return Status::InvalidArgument(text);
    default:
      return Status::Unavailable(text);
  }
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options)
      : options_(std::move(options)),
        pins_(JoinPins(options_.tls_pins)),
        init_(GlobalInit()),
        handle_(init_ == CURLE_OK ? curl_easy_init() : nullptr) {}

  Result<TransportResponse> Post(const TransportRequest& request) override {
    return Perform(request, true);
  }
  Result<TransportResponse> Get(const TransportRequest& request) override {
    return Perform(request, false);
  }

 private:
  Result<TransportResponse> Perform(const TransportRequest& request, bool post) {
    if (init_ != CURLE_OK) {
      return Status::Internal(std::string("curl_global_init: ") + curl_easy_strerror(init_));
    }
    if (!handle_) return Status::Internal("curl_easy_init failed");
    CURL* h = handle_.get();
    // Reset drops the previous request's options but keeps its open connections.
    curl_easy_reset(h);

    std::unique_ptr<curl_slist, SlistDeleter> headers;
    auto add = [&](const std::string& line) {
      curl_slist* next = curl_slist_append(headers.get(), line.c_str());
      if (next == nullptr) return false;
      (void)headers.release();  // `next` heads the same list
      headers.reset(next);
      return true;
    };
    for (const auto& [name, value] : request.headers) {
      if (!add(name + ": " + value)) return Status::Internal("out of memory for headers");
    }
    // "Name:" removes a header libcurl would add on its own: the request carries only what the
    // caller chose.
    for (const char* name : {"Accept", "Expect"}) {
      if (!HasHeader(request, name) && !add(std::string(name) + ":")) {
        return Status::Internal("out of memory for headers");
      }
    }

    ResponseSink sink;
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    // Never follow a redirect: it could carry the body to a host the manifest does not name.
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    if (post) {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    } else {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
    // Timeouts must not use signals: the embedding program owns its signal handlers.
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
    if (!pins_.empty()) curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, pins_.c_str());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);

    CURLcode rc = curl_easy_perform(h);
    // The handle outlives this call; it must not point at this frame's buffers.
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    if (sink.too_large) {
      return Status::Corruption(std::string(post ? "POST " : "GET ") + request.url +
                                ": response larger than " +
                                std::to_string(kMaxResponseBody) + " bytes");
    }
    if (rc != CURLE_OK) return CurlFailure(rc, error_buffer, request.url);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    sink.response.status = static_cast<int>(status);
    return std::move(sink.response);
  }

  static std::string JoinPins(const std::vector<std::string>& pins) {
    std::string out;
    for (const auto& pin : pins) out += (out.empty() ? "" : ";") + pin;
    return out;
  }

  const CurlTransportOptions options_;
  const std::string pins_;
  const CURLcode init_;
  std::unique_ptr<CURL, EasyDeleter> handle_;
};

}  // namespace

std::unique_ptr<HttpTransport> NewCurlTransport(const CurlTransportOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace homeport
