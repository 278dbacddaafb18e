// POST /v1/activations: validate, check the region (S1), authenticate the device by its
// enrolled key, then hand the write to the group-commit writer and answer only after the
// commit (S5). Checks run cheapest first, and a request for another region is refused before
// anything about the device is looked up: nothing of it is stored, only counted.
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <optional>

#include "common/text.h"
#include "crypto/jws.h"
#include "provisioning/region_manifest.h"
#include "server/router.h"

namespace homeport {
namespace {

constexpr std::array<const char*, 6> kStringFields = {"serial", "model", "sku",
                                                      "variant", "region", "client_version"};
constexpr const char* kSignatureHeader = "x-homeport-signature";

constexpr std::array<const char*, 2> kIntegerFields = {"manifest_version", "sequence"};

struct ActivationBody {
  std::array<std::string, 6> strings;  // in kStringFields order
  int64_t manifest_version = 0;
  int64_t sequence = 0;
  const std::string& serial() const { return strings[0]; }
  const std::string& model() const { return strings[1]; }
  const std::string& sku() const { return strings[2]; }
  const std::string& variant() const { return strings[3]; }
  const std::string& region() const { return strings[4]; }
  const std::string& client_version() const { return strings[5]; }
};

nlohmann::json Violation(std::string_view field, std::string_view problem) {
  return {{"field", field}, {"problem", problem}};
}

bool IsJson(std::string_view content_type) { return MediaType(content_type) == "application/json"; }

// Parses and validates the body; on failure returns the error response to send.
std::variant<ActivationBody, HttpResponse> ParseBody(const std::string& body) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (auto err = parser.parse(body).get_object().get(obj); err) {
    return ErrorResponse(ErrorCode::kBadJson,
                         std::string("body is not a JSON object: ") + simdjson::error_message(err));
  }
  ActivationBody out;
  constexpr size_t kFields = kStringFields.size() + kIntegerFields.size();
  auto field_name = [](size_t i) {
    return i < kStringFields.size() ? kStringFields[i] : kIntegerFields[i - kStringFields.size()];
  };
  std::array<bool, kFields> seen{};
  nlohmann::json violations = nlohmann::json::array();
  for (auto [key, value] : obj) {
    size_t i = 0;
    while (i < kFields && key != field_name(i)) ++i;
    if (i == kFields) {
      violations.push_back(Violation(key, "not an activation field"));
      continue;
    }
    if (seen[i]) {
      violations.push_back(Violation(key, "appears twice"));
      continue;
    }
    seen[i] = true;
    if (i >= kStringFields.size()) {
      int64_t& target = i == kStringFields.size() ? out.manifest_version : out.sequence;
      if (value.get_int64().get(target) || target < 1) {
        violations.push_back(Violation(key, "must be a positive integer"));
      }
      continue;
    }
    std::string_view s;
    if (value.get_string().get(s)) {
      violations.push_back(Violation(key, "must be a string"));
      continue;
    }
    out.strings[i] = std::string(s);
    bool valid = i == 4 ? IsValidRegionCode(s) : IsValidIdentifierField(s);
    if (!valid) {
      violations.push_back(Violation(key, i == 4 ? "must be a region code (2-16 of a-z, 0-9, -)"
                                                 : "must be 1-64 of A-Z a-z 0-9 . _ -"));
    }
  }
  for (size_t i = 0; i < seen.size(); ++i) {
    if (!seen[i]) violations.push_back(Violation(field_name(i), "missing"));
  }
  if (!violations.empty()) {
    return ErrorResponse(ErrorCode::kSchemaViolation, "the activation does not match its schema",
                         {{"fields", violations}});
  }
  return out;
}

// The claimed model/SKU/variant must be what the factory enrolled.
nlohmann::json MismatchWithEnrollment(const ActivationBody& b, const EnrollmentRecord& e) {
  nlohmann::json v = nlohmann::json::array();
  if (b.model() != e.model) v.push_back(Violation("model", "does not match the enrolled device"));
  if (b.sku() != e.sku) v.push_back(Violation("sku", "does not match the enrolled device"));
  if (b.variant() != e.variant) {
    v.push_back(Violation("variant", "does not match the enrolled device"));
  }
  return v;
}

HttpResponse Unavailable(std::string_view why) {
  return ErrorResponse(ErrorCode::kUnavailable, why, nlohmann::json::object(), 1);
}

// The second half of an activation, on a worker: the device's enrolled key, the signature, the
// enrolled model, and the commit.
void CommitVerified(const ServiceContext& ctx, const ActivationBody& body,
                    const std::string& signature, const std::string& raw_body,
                    const Respond& respond) {
  auto enrolled = ctx.store->FindEnrollment(body.serial());
  if (!enrolled.ok()) {
    respond(Unavailable("cannot read enrollments: " + enrolled.status().message()));
    return;
  }
  if (!*enrolled) {
    respond(ErrorResponse(ErrorCode::kUnknownDevice,
                          "serial " + body.serial() + " is not enrolled in region " + ctx.region));
    return;
  }
  if (Status st = crypto::VerifyDetached(signature, raw_body, (*enrolled)->device_key); !st.ok()) {
    respond(ErrorResponse(ErrorCode::kBadSignature,
                          "the signature is not the enrolled device key's: " + st.message()));
    return;
  }
  if (auto mismatch = MismatchWithEnrollment(body, **enrolled); !mismatch.empty()) {
    respond(ErrorResponse(ErrorCode::kSchemaViolation,
                          "the activation does not match the enrolled device",
                          {{"fields", mismatch}}));
    return;
  }

  const auto& rollbacks = ctx.rollback_manifest_versions;
  Activation activation{
      body.serial(), body.client_version(), body.manifest_version, body.sequence,
      std::find(rollbacks.begin(), rollbacks.end(), body.manifest_version) != rollbacks.end()};
  std::string serial = body.serial();
  auto done = [serial, respond](Result<ActivationResult> r) {
    if (!r.ok()) {
      respond(Unavailable("the activation could not be stored; retry"));
      return;
    }
    if (r->outcome == RecordOutcome::kRevoked) {
      respond(ErrorResponse(ErrorCode::kRevoked,
                            "this device is revoked in this region; nothing was changed"));
      return;
    }
    if (r->outcome == RecordOutcome::kStale) {
      // The recorded figures let the device itself catch up after losing its counter; an
      // attacker replaying the device's signed request learns nothing it could use.
      respond(ErrorResponse(
          ErrorCode::kStaleActivation,
          "this activation is older than the one recorded (its sequence is not above the "
          "recorded one, or its manifest version is lower); nothing was changed",
          {{"recorded_sequence", r->recorded_sequence},
           {"recorded_manifest_version", r->recorded_manifest_version}}));
      return;
    }
    static const char* kStatus[] = {"activated", "already_activated", "checked_in"};
    respond(JsonResponse(r->outcome == RecordOutcome::kCreated ? 201 : 200,
                         {{"serial", serial},
                          {"warranty_start", r->warranty_start},
                          {"status", kStatus[static_cast<int>(r->outcome)]}}));
  };
  if (!ctx.writer->SubmitActivation(std::move(activation), done)) {
    respond(Unavailable("the server is at capacity; retry after the indicated delay"));
  }
}

}  // namespace

void HandleActivation(const ServiceContext& ctx, const HttpRequest& request, Respond respond) {
  if (!IsJson(request.Header("content-type"))) {
    respond(ErrorResponse(ErrorCode::kUnsupportedMediaType,
                          "activations are application/json, not \"" +
                              std::string(request.Header("content-type")) + "\""));
    return;
  }
  if (request.body.size() > kMaxBodyBytes) {
    respond(ErrorResponse(ErrorCode::kTooLarge, "body exceeds 1 MB"));
    return;
  }
  auto parsed = ParseBody(request.body);
  if (auto* error = std::get_if<HttpResponse>(&parsed)) {
    respond(std::move(*error));
    return;
  }
  const ActivationBody& body = std::get<ActivationBody>(parsed);

  if (body.region() != ctx.region) {
    // Counted in memory only: the tally reaches the store as aggregates (serve.cc), so a flood
    // of refusals costs no database write each.
    ctx.metrics->CountWrongRegion(body.region(), body.variant());
    respond(ErrorResponse(ErrorCode::kWrongRegion,
                          "this server serves region \"" + ctx.region + "\", not \"" +
                              body.region() + "\"; nothing of this request was stored",
                          {{"served_region", ctx.region}, {"claimed_region", body.region()}}));
    return;
  }

  std::string_view signature = request.Header(kSignatureHeader);
  if (signature.empty()) {
    respond(ErrorResponse(ErrorCode::kBadSignature,
                          "missing X-Homeport-Signature (detached JWS over the body)"));
    return;
  }
  // The enrollment read may wait for the database: never on an I/O thread, and never longer
  // than the device is told to wait.
  respond = WithAnswerLimit(ctx, std::move(respond), kActivationAnswerLimit);
  auto verify_and_commit = [&ctx, body = std::get<ActivationBody>(std::move(parsed)),
                            signature = std::string(signature), raw_body = request.body,
                            respond]() { CommitVerified(ctx, body, signature, raw_body, respond); };
  if (!ctx.workers) return verify_and_commit();
  if (!ctx.workers->Post(std::move(verify_and_commit))) {
    respond(Unavailable("the server is at capacity; retry after the indicated delay"));
  }
}

}  // namespace homeport
