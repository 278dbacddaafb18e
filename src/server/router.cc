// Routing table and the small read-only endpoints.
#include "server/router.h"

#include "server/console_handler.h"

namespace homeport {
namespace {

struct Route {
  const char* path;    // exact, or a prefix when it ends with '/'
  const char* method;  // the one method served (OPTIONS is left to handlers that want it)
  void (*handle)(const ServiceContext&, const HttpRequest&, Respond);
  Listener audience;   // which listener serves it (kBoth: both)
  bool reads_store = false;  // runs on a worker: no I/O thread waits for the database
  bool Matches(std::string_view p) const {
    std::string_view r = path;
    return r.back() == '/' ? p.substr(0, r.size()) == r : p == r;
  }
};

void HandleHealth(const ServiceContext& ctx, const HttpRequest&, Respond respond) {
  // No store call: a paused database must not make the server look dead, and the ingest log
  // keeps taking pings meanwhile. `unloaded_bytes` is how far the store is behind.
  nlohmann::json health = {{"status", "ok"}, {"region", ctx.region}};
  if (ctx.ingest_loader) {
    health["ingest"] = {{"log_bytes", ctx.ingest_log->Bytes()},
                        {"unloaded_bytes", ctx.ingest_loader->UnloadedBytes()}};
  }
  respond(JsonResponse(200, health));
}

void HandleMetrics(const ServiceContext& ctx, const HttpRequest&, Respond respond) {
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = ctx.metrics->Render();
  respond(std::move(r));
}

void HandleManifest(const ServiceContext& ctx, const HttpRequest&, Respond respond) {
  if (ctx.manifests.empty()) {
    respond(ErrorResponse(ErrorCode::kNotFound, "this server was started without --manifest"));
    return;
  }
  nlohmann::json body = {{"region", ctx.region}, {"manifests", ctx.manifests}};
  // Where each is in the transparency log: a device asks for its inclusion proof there.
  if (ctx.log) body["log_indexes"] = ctx.manifest_log_indexes;
  respond(JsonResponse(200, body));
}

constexpr Route kRoutes[] = {
    {"/v1/activations", "POST", HandleActivation, Listener::kDevices},
    {"/v1/manifest", "GET", HandleManifest, Listener::kDevices},
    {"/healthz", "GET", HandleHealth, Listener::kBoth},
    {"/metrics", "GET", HandleMetrics, Listener::kOperators},
    {"/submit/", "POST", HandleSubmit, Listener::kDevices},
    {"/privacy", "GET", HandlePrivacy, Listener::kDevices},
    // The transparency log: public, on the devices' listener (anyone may audit it).
    {"/v1/log/", "GET", HandleLog, Listener::kDevices, /*reads_store=*/true},
    {"/v1/log/cosignature", "POST", HandleLogCosignature, Listener::kDevices, /*reads_store=*/true},
    {"/v1/admin/", "GET", HandleAdmin, Listener::kOperators, /*reads_store=*/true},
    // The operator console: static files, no token (the figures it loads need one).
    {"/console", "GET", HandleConsole, Listener::kOperators},
    {"/console/", "GET", HandleConsole, Listener::kOperators},
};

bool Serves(Listener listener, Listener audience) {
  return listener == Listener::kBoth || audience == Listener::kBoth || listener == audience;
}

}  // namespace

Respond WithAnswerLimit(const ServiceContext& ctx, Respond respond, std::chrono::seconds limit) {
  if (!ctx.deadlines) return respond;
  return ctx.deadlines->Guard(
      std::move(respond), limit,
      ErrorResponse(ErrorCode::kUnavailable,
                    "the database did not answer within " + std::to_string(limit.count()) +
                        " s; retry after the indicated delay",
                    nlohmann::json::object(), 5));
}

void Router::Handle(const HttpRequest& request, Respond respond) const {
  std::string_view path = request.Path();
  const Route* route = nullptr;
  for (const Route& r : kRoutes) {
    if (r.Matches(path) && Serves(listener_, r.audience)) route = &r;
  }
  std::string label = route ? route->path : "other";
  Respond counted = [metrics = ctx_.metrics, label, respond = std::move(respond)](HttpResponse r) {
    if (metrics) metrics->CountRequest(label, r.status);
    respond(std::move(r));
  };
  if (!route) {
    counted(ErrorResponse(ErrorCode::kNotFound, "no such endpoint: " + std::string(path)));
    return;
  }
  bool head_of_get = request.method == "HEAD" && std::string_view(route->method) == "GET";
  bool preflight = request.method == "OPTIONS" && route->handle == HandleSubmit;
  if (request.method != route->method && !head_of_get && !preflight) {
    HttpResponse r = ErrorResponse(ErrorCode::kMethodNotAllowed,
                                   std::string(route->path) + " accepts " + route->method + " only",
                                   {{"allowed", {route->method}}});
    r.headers.emplace_back("Allow", route->method);
    counted(std::move(r));
    return;
  }
  if (route->reads_store && ctx_.workers) {
    counted = WithAnswerLimit(ctx_, std::move(counted), kStoreWorkAnswerLimit);
    auto job = [this, route, request, counted]() { route->handle(ctx_, request, counted); };
    if (!ctx_.workers->Post(std::move(job))) {
      counted(ErrorResponse(ErrorCode::kUnavailable,
                            "the server is at capacity; retry after the indicated delay"));
    }
    return;
  }
  route->handle(ctx_, request, std::move(counted));
}

}  // namespace homeport
