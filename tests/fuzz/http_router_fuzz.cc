// Raw bytes from a client, as the server reads them: Boost.Beast's request parser with the
// server's limits (16 KiB of header, 1 MB of body, chunked bodies undone), then each complete
// request (pipelined ones too) through the Router: activations, Glean submissions with gzip,
// the privacy page, admin reads, metrics. Every answer must be a well-formed one.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

#include "fuzz/fuzz_checks.h"
#include "fuzz/fuzz_region_service.h"

namespace {

namespace http = boost::beast::http;
using homeport::HttpRequest;

// As the server's session converts a parsed message (src/server/http_server.cc).
HttpRequest FromBeast(const http::request<http::string_body>& req) {
  HttpRequest request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = req.body();
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* service = new homeport::fuzzing::RegionService();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Up to four pipelined requests on one connection.
  for (int request = 0; request < 4 && !input.empty(); ++request) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(homeport::kMaxBodyBytes);
    parser.header_limit(16 * 1024);
    parser.eager(true);
    boost::beast::error_code ec;
    while (!parser.is_done()) {
      // Nothing left, or not enough for the parser's next step: the client stopped sending.
      if (input.empty()) {
        parser.put_eof(ec);
        break;
      }
      size_t used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
      input.remove_prefix(used);
      if (ec == http::error::need_more) ec = {};
      if (ec) break;
      if (used == 0) {
        parser.put_eof(ec);
        break;
      }
    }
    if (ec || !parser.is_done()) return 0;  // the server answers 400 or drops the connection
    homeport::HttpResponse response = service->Call(FromBeast(parser.get()));
    homeport::fuzzing::CheckResponse(response);
    if (!parser.get().keep_alive()) break;
  }
  return 0;
}
