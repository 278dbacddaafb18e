// Endpoints for people rather than devices: the data catalogue (GET /privacy) and the
// operator API under /v1/admin/, which needs the bearer token and appends every read of
// personal data to the access log (S7).
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "crypto/ed25519.h"
#include "schema/catalogue.h"
#include "server/operator_stats.h"
#include "server/router.h"

namespace homeport {
namespace {

// How long an operator read waits for the ingest loader before answering 503.
constexpr std::chrono::seconds kOperatorReadWait{10};

bool WantsJson(const HttpRequest& r) {
  std::string_view target = r.target;
  return target.find("format=json") != std::string_view::npos ||
         r.Header("accept").find("application/json") != std::string_view::npos;
}

// Constant-time comparison: the token must not leak through response timing.
bool TokenMatches(std::string_view presented, const std::string& expected) {
  return presented.size() == expected.size() &&
         sodium_memcmp(presented.data(), expected.data(), expected.size()) == 0;
}

}  // namespace

// activated_at and last_checkin_at keep their names and hold days (YYYY-MM-DD): the store
// keeps no finer time about a device (S4). `revoked` is null unless the device is revoked;
// `earlier_periods` lists the warranty periods that resets ended, oldest first.
nlohmann::json WarrantyJson(const ActivationRecord& r) {
  nlohmann::json earlier = nlohmann::json::array();
  for (const auto& p : r.earlier) {
    earlier.push_back({{"warranty_start", p.warranty_start},
                       {"ended", p.ended_day},
                       {"reason", p.reason},
                       {"client_version", p.client_version},
                       {"manifest_version", p.manifest_version}});
  }
  nlohmann::json revoked = nullptr;
  if (r.revocation) revoked = {{"since", r.revocation->day}, {"reason", r.revocation->reason}};
  return {{"serial", r.device.serial},
          {"model", r.device.model},
          {"sku", r.device.sku},
          {"variant", r.device.variant},
          {"region", r.device.region},
          {"batch", r.device.batch},
          {"warranty_start", r.warranty_start},
          {"activated_at", r.activated_day},
          {"client_version", r.client_version},
          {"manifest_version", r.manifest_version},
          {"last_checkin_at", r.last_checkin_day},
          {"checkins", r.checkins},
          {"sequence", r.sequence},
          {"revoked", revoked},
          {"earlier_periods", earlier}};
}

nlohmann::json UxpExportJson(const std::string& client_id, const std::vector<UxpDocument>& docs) {
  nlohmann::json out = {{"client_id", client_id}, {"documents", nlohmann::json::array()}};
  for (const auto& d : docs) {
    out["documents"].push_back({{"doc_id", d.doc_id},
                                {"app_id", d.app_id},
                                {"ping", d.doc_type},
                                {"received_day", d.received_day},
                                {"expires_day", d.expires_day},
                                {"payload", nlohmann::json::parse(d.payload, nullptr, false)}});
  }
  return out;
}

void HandlePrivacy(const ServiceContext& ctx, const HttpRequest& request, Respond respond) {
  if (WantsJson(request)) {
    return respond(JsonResponse(200, schema::CatalogueJson(*ctx.schemas, ctx.catalogue)));
  }
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = schema::CatalogueHtml(*ctx.schemas, ctx.catalogue);
  respond(std::move(r));
}

namespace {

// GET /v1/admin/stats (every panel) and /v1/admin/stats/<panel>: aggregates only, so not in
// the access log. What the store holds: documents still on their way through the ingest log
// are counted once loaded.
HttpResponse StatsResponse(const ServiceContext& ctx, const HttpRequest& request) {
  std::string_view path = request.Path();
  path.remove_prefix(std::string_view("/v1/admin/stats").size());
  std::optional<StatsPanel> panel;
  if (!path.empty() && path != "/") {
    panel = StatsPanelFromName(path.substr(1));
    if (!panel) {
      return ErrorResponse(ErrorCode::kNotFound,
                           "no statistics panel \"" + std::string(path.substr(1, 60)) +
                               "\": expected activations, rollout, region-alarm, uxp, storage or "
                               "operator-reads");
    }
  }
  StatsOptions options;
  options.today = FormatDate(ctx.env->Now());
  options.min_count = ctx.min_count;
  std::string_view target = request.target;
  size_t q = target.find('?');
  if (q != std::string_view::npos) {
    if (Status st = ApplyStatsQuery(target.substr(q + 1), options); !st.ok()) {
      return ErrorResponse(ErrorCode::kBadRequest, st.message());
    }
  }
  auto stats = panel ? StatsJson(*ctx.store, *panel, options) : AllStatsJson(*ctx.store, options);
  if (!stats.ok()) {
    return ErrorResponse(ErrorCode::kUnavailable,
                         "the statistics could not be read: " + stats.status().message());
  }
  return JsonResponse(200, *stats);
}

}  // namespace

void HandleAdmin(const ServiceContext& ctx, const HttpRequest& request, Respond respond) {
  if (ctx.admin_token.empty()) {
    return respond(ErrorResponse(ErrorCode::kNotFound,
                                 "the operator API is off: start serve with --admin-token-file"));
  }
  std::string_view auth = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.substr(0, kBearer.size()) != kBearer ||
      !TokenMatches(auth.substr(kBearer.size()), ctx.admin_token)) {
    HttpResponse r = JsonResponse(
        401, {{"error", "unauthorized"}, {"message", "a valid bearer token is required"}});
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return respond(std::move(r));
  }
  // The access log names the token by a short digest, never the token itself.
  std::string actor = "admin-token:" + crypto::Sha256Hex(ctx.admin_token).substr(0, 12);
  std::string_view path = request.Path();
  constexpr std::string_view kStats = "/v1/admin/stats";
  if (path.substr(0, kStats.size()) == kStats) return respond(StatsResponse(ctx, request));
  constexpr std::string_view kClients = "/v1/admin/uxp/clients/";
  constexpr std::string_view kWarranty = "/v1/admin/warranty/";
  if (path.substr(0, kClients.size()) == kClients && path.size() > kClients.size()) {
    std::string client(path.substr(kClients.size()));
    // Everything acknowledged is in the export, and nothing erased.
    if (Status st = ctx.ingest_loader->WaitLoaded(kOperatorReadWait); !st.ok()) {
      return respond(ErrorResponse(ErrorCode::kUnavailable, st.message(), nlohmann::json::object(), 5));
    }
    auto docs = ctx.store->ExportClient(client, actor, ctx.env->Now());
    if (!docs.ok()) return respond(ErrorResponse(ErrorCode::kUnavailable, docs.status().message()));
    return respond(JsonResponse(200, UxpExportJson(client, *docs)));
  }
  if (path.substr(0, kWarranty.size()) == kWarranty && path.size() > kWarranty.size()) {
    std::string serial(path.substr(kWarranty.size()));
    auto record = ctx.store->LookupWarranty(serial, actor, ctx.env->Now());
    if (!record.ok())
      return respond(ErrorResponse(ErrorCode::kUnavailable, record.status().message()));
    if (!*record)
      return respond(ErrorResponse(ErrorCode::kNotFound, "no activation for " + serial));
    return respond(JsonResponse(200, WarrantyJson(**record)));
  }
  respond(ErrorResponse(ErrorCode::kNotFound, "no such operator endpoint: " + std::string(path)));
}

}  // namespace homeport
