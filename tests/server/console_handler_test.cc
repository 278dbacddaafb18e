// The operator console's files: served from the binary, only on the operators' listener, with
// headers that forbid inline script, framing, sniffing and caching.
#include "server/console_handler.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "server/console_assets.h"
#include "server/router.h"

namespace homeport {
namespace {

HttpRequest Get(std::string target) {
  HttpRequest r;
  r.method = "GET";
  r.target = std::move(target);
  return r;
}

// Handlers may answer later; these answer at once.
HttpResponse CallConsole(const HttpRequest& request) {
  HttpResponse out;
  bool answered = false;
  HandleConsole(ServiceContext{}, request, [&](HttpResponse r) {
    out = std::move(r);
    answered = true;
  });
  EXPECT_TRUE(answered);
  return out;
}

HttpResponse CallRouter(Listener listener, const HttpRequest& request) {
  Router router(ServiceContext{}, listener);
  HttpResponse out;
  router.Handle(request, [&](HttpResponse r) { out = std::move(r); });
  return out;
}

std::string HeaderOf(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

std::string SourceFile(const std::string& relative) {
  std::ifstream in(std::string(HOMEPORT_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void ExpectConsoleHeaders(const HttpResponse& r) {
  EXPECT_EQ(HeaderOf(r, "Content-Security-Policy"),
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; frame-ancestors 'none'");
  EXPECT_EQ(HeaderOf(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-store");
  EXPECT_EQ(HeaderOf(r, "Referrer-Policy"), "no-referrer");
}

TEST(ConsoleHandler, ServesThePageWithoutATokenAndWithItsSecurityHeaders) {
  for (const char* target : {"/console", "/console/", "/console?days=7"}) {
    SCOPED_TRACE(target);
    HttpResponse r = CallConsole(Get(target));  // no Authorization header
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(r.body, SourceFile("web/index.html"));
    ExpectConsoleHeaders(r);
  }
}

TEST(ConsoleHandler, ServesEachFileAsBuiltWithItsContentType) {
  struct Case {
    const char* name;
    const char* source;
    const char* type;
  } cases[] = {
      {"console.js", "web/console.js", "text/javascript; charset=utf-8"},
      {"panels.js", "web/panels.js", "text/javascript; charset=utf-8"},
      {"drawing.js", "web/drawing.js", "text/javascript; charset=utf-8"},
      {"console.css", "web/console.css", "text/css; charset=utf-8"},
      {"uPlot.iife.min.js", "node_modules/uplot/dist/uPlot.iife.min.js",
       "text/javascript; charset=utf-8"},
      {"uPlot.min.css", "node_modules/uplot/dist/uPlot.min.css", "text/css; charset=utf-8"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HttpResponse r = CallConsole(Get(std::string("/console/") + c.name));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, c.type);
    std::string expected = SourceFile(c.source);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(r.body, expected);  // byte for byte: the embedding loses nothing
    ExpectConsoleHeaders(r);
  }
}

TEST(ConsoleHandler, UnknownFileIsTheJson404) {
  for (const char* target : {"/console/nope.js", "/console/../router.cc", "/console/web/console.js",
                             "/console/Console.js", "/console/console.js/"}) {
    SCOPED_TRACE(target);
    HttpResponse r = CallConsole(Get(target));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.content_type, "application/json");
    auto body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body["error"], "not_found");
    EXPECT_EQ(HeaderOf(r, "X-Content-Type-Options"), "nosniff");
  }
}

// The CSP forbids inline script and style: the page must not need any, and every file it
// refers to must be one the server has.
TEST(ConsoleHandler, PageHasNoInlineScriptOrStyleAndLoadsOnlyEmbeddedFiles) {
  std::string page(FindConsoleAsset("index.html")->bytes);
  EXPECT_EQ(page.find("<style"), std::string::npos);
  EXPECT_EQ(page.find(" style="), std::string::npos);
  EXPECT_FALSE(std::regex_search(page, std::regex(R"re(<script(?![^>]*\bsrc=))re")));
  EXPECT_FALSE(std::regex_search(page, std::regex(R"re(\son[a-z]+=)re")));  // no onclick=…
  std::regex ref(R"re((?:src|href)="([^"]*)")re");
  int refs = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), ref); it != std::sregex_iterator();
       ++it) {
    std::string url = (*it)[1];
    SCOPED_TRACE(url);
    if (url == "data:,") continue;  // the empty favicon: no request for /favicon.ico
    ASSERT_EQ(url.rfind("/console/", 0), 0u);
    EXPECT_NE(FindConsoleAsset(url.substr(std::string("/console/").size())), nullptr);
    ++refs;
  }
  EXPECT_EQ(refs, 4);  // uPlot's script and style, the console's script and style
}

TEST(ConsoleHandler, EveryEmbeddedFileHasAKnownContentType) {
  ASSERT_GE(ConsoleAssets().size(), 7u);  // web/ (5 files) and uPlot's two
  for (const ConsoleAsset& a : ConsoleAssets()) {
    SCOPED_TRACE(std::string(a.path));
    EXPECT_EQ(a.path.find('/'), std::string_view::npos);
    EXPECT_FALSE(a.content_type.empty());
    EXPECT_FALSE(a.bytes.empty());
  }
}

TEST(ConsoleHandler, IsOnlyOnTheOperatorsListener) {
  EXPECT_EQ(CallRouter(Listener::kOperators, Get("/console")).status, 200);
  EXPECT_EQ(CallRouter(Listener::kOperators, Get("/console/console.js")).status, 200);
  EXPECT_EQ(CallRouter(Listener::kDevices, Get("/console")).status, 404);
  EXPECT_EQ(CallRouter(Listener::kDevices, Get("/console/console.js")).status, 404);
  EXPECT_EQ(CallRouter(Listener::kOperators, Get("/consoles")).status, 404);
  HttpRequest post = Get("/console");
  post.method = "POST";
  EXPECT_EQ(CallRouter(Listener::kOperators, post).status, 405);
}

}  // namespace
}  // namespace homeport
