// GET /console and its files, from the table cmake/embed_assets.cmake generates.
#include "server/console_handler.h"

#include <string>

#include "server/console_assets.h"

namespace homeport {
namespace {

constexpr std::string_view kPrefix = "/console/";
constexpr std::string_view kPage = "index.html";

// The page's script and style are files of its own origin: nothing inline, nothing from
// elsewhere (uPlot is embedded too). A script injected through the figures (a subject or an
// actor in the access log) could not run; the page may not be framed (clickjacking of the
// sign-in form); the token the page sends is never in a URL, and no-referrer keeps even the
// path to itself.
void AddConsoleHeaders(HttpResponse& r) {
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                         "script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

}  // namespace

void HandleConsole(const ServiceContext&, const HttpRequest& request, Respond respond) {
  std::string_view path = request.Path();
  std::string_view name = kPage;
  if (path.size() > kPrefix.size()) name = path.substr(kPrefix.size());
  const ConsoleAsset* asset = FindConsoleAsset(name);
  if (!asset) {
    HttpResponse r = ErrorResponse(ErrorCode::kNotFound,
                                   "no such console file: " + std::string(path));
    AddConsoleHeaders(r);
    return respond(std::move(r));
  }
  HttpResponse r;
  r.content_type = std::string(asset->content_type);
  r.body = std::string(asset->bytes);
  AddConsoleHeaders(r);
  respond(std::move(r));
}

}  // namespace homeport
