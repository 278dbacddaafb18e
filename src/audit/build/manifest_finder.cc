// Manifest candidates start with "eyJ" (base64url of `{"`), the start of every JWS header.
// The header is decoded here rather than through crypto::PeekHeader, which refuses any alg
// but EdDSA: a forged manifest with "alg": "none" must be reported, not overlooked.
#include "audit/build/manifest_finder.h"

#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "privacy/ascii.h"
#include "provisioning/region_manifest.h"

namespace homeport::audit::build {
namespace {

constexpr std::string_view kManifestType = "homeport-manifest+jws";

bool IsBase64UrlChar(char c) { return privacy::IsAlnum(c) || c == '-' || c == '_'; }

std::optional<nlohmann::json> DecodeJson(std::string_view b64) {
  auto raw = crypto::Base64UrlDecode(b64);
  if (!raw.ok()) return std::nullopt;
  auto j = nlohmann::json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  return j;
}

std::string StringField(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// What an unverified manifest claims; every field optional and type-checked, since the
// payload may be anything.
RegionManifest Claims(const nlohmann::json& j) {
  RegionManifest m;
  m.region = StringField(j, "region");
  m.activation_url = StringField(j, "activation_url");
  m.uxp_url = StringField(j, "uxp_url");
  m.issued_at = StringField(j, "issued_at");
  if (auto v = j.find("variants"); v != j.end() && v->is_array()) {
    for (const auto& item : *v) {
      if (item.is_string()) m.variants.push_back(item.get<std::string>());
    }
  }
  if (auto v = j.find("version"); v != j.end() && v->is_number_integer()) {
    m.version = v->get<int64_t>();
  }
  return m;
}

}  // namespace

std::vector<FoundManifest> FindManifests(std::string_view text, const crypto::PublicKey& root) {
  std::vector<FoundManifest> found;
  size_t pos = text.find("eyJ");
  while (pos != std::string_view::npos) {
    if (pos > 0 && IsBase64UrlChar(text[pos - 1])) {
      pos = text.find("eyJ", pos + 1);
      continue;
    }
    // header "." payload "." signature, each a base64url run.
    size_t end = pos;
    int dots = 0;
    while (end < text.size() && (IsBase64UrlChar(text[end]) || text[end] == '.')) {
      if (text[end] == '.' && ++dots == 3) break;
      ++end;
    }
    std::string_view token = text.substr(pos, end - pos);
    pos = text.find("eyJ", end);
    const size_t first_dot = token.find('.');
    if (dots < 2 || token.back() == '.' || first_dot == std::string_view::npos) continue;
    auto header = DecodeJson(token.substr(0, first_dot));
    if (!header || StringField(*header, "typ") != kManifestType) continue;

    FoundManifest m;
    m.token = std::string(token);
    m.kid = StringField(*header, "kid");
    auto verified = VerifyManifest(token, root);
    if (verified.ok()) {
      m.verified = true;
      m.readable = true;
      m.manifest = std::move(*verified);
    } else {
      m.problem = verified.status().message();
      const size_t second_dot = token.find('.', first_dot + 1);
      if (auto payload = DecodeJson(token.substr(first_dot + 1, second_dot - first_dot - 1))) {
        m.readable = true;
        m.manifest = Claims(*payload);
      }
    }
    found.push_back(std::move(m));
  }
  return found;
}

}  // namespace homeport::audit::build
