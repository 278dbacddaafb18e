// Region manifests as JWS: the payload is a JSON object with the RegionManifest fields.
#include "provisioning/region_manifest.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "crypto/jws.h"

namespace homeport {
namespace {

constexpr const char* kManifestType = "homeport-manifest+jws";

bool IsHttpUrl(const std::string& url) {
  return (url.rfind("https://", 0) == 0 && url.size() > 8) ||
         (url.rfind("http://", 0) == 0 && url.size() > 7);
}

Result<RegionManifest> FromJson(const nlohmann::json& j) {
  RegionManifest m;
  try {
    m.region = j.at("region").get<std::string>();
    m.variants = j.at("variants").get<std::vector<std::string>>();
    m.activation_url = j.at("activation_url").get<std::string>();
    m.uxp_url = j.at("uxp_url").get<std::string>();
    m.tls_pins = j.value("tls_pins", std::vector<std::string>{});
    m.version = j.at("version").get<int64_t>();
    m.issued_at = j.at("issued_at").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("manifest payload: ") + e.what());
  }
  return m;
}

}  // namespace

bool IsValidRegionCode(std::string_view code) {
  return code.size() >= 2 && code.size() <= 16 &&
         std::all_of(code.begin(), code.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

bool IsValidTlsPin(std::string_view pin) {
  constexpr std::string_view kPrefix = "sha256//";
  if (pin.substr(0, kPrefix.size()) != kPrefix) return false;
  auto digest = crypto::Base64Decode(pin.substr(kPrefix.size()));
  return digest.ok() && digest->size() == 32;
}

Status ValidateManifest(const RegionManifest& m) {
  if (!IsValidRegionCode(m.region)) {
    return Status::InvalidArgument("region \"" + m.region +
                                   "\" is not a region code (" + std::string(kRegionCodeMeaning) + ")");
  }
  if (m.variants.empty()) return Status::InvalidArgument("a manifest needs at least one variant");
  for (const auto& v : m.variants) {
    if (v.empty()) return Status::InvalidArgument("empty variant name");
  }
  if (!IsHttpUrl(m.activation_url)) {
    return Status::InvalidArgument("activation URL \"" + m.activation_url + "\" is not http(s)");
  }
  if (!IsHttpUrl(m.uxp_url)) {
    return Status::InvalidArgument("UX-program URL \"" + m.uxp_url + "\" is not http(s)");
  }
  // Base URLs: devices add the paths, so an endpoint given here would be doubled on the device.
  // (A trailing slash is harmless: devices drop it.)
  std::string_view activation = m.activation_url, uxp = m.uxp_url;
  if (activation.ends_with('/')) activation.remove_suffix(1);
  if (uxp.ends_with('/')) uxp.remove_suffix(1);
  if (activation.ends_with(kActivationPath)) {
    return Status::InvalidArgument("activation URL \"" + m.activation_url +
                                   "\" must be a base URL such as https://act.example.com: "
                                   "devices add " + std::string(kActivationPath));
  }
  if (uxp.find("/submit/") != std::string_view::npos || uxp.ends_with("/submit")) {
    return Status::InvalidArgument("UX-program URL \"" + m.uxp_url +
                                   "\" must be a base URL such as https://uxp.example.com: "
                                   "devices add /submit/…");
  }
  for (const auto& pin : m.tls_pins) {
    if (!IsValidTlsPin(pin)) {
      return Status::InvalidArgument(
          "TLS pin \"" + pin +
          "\" is not sha256// followed by the Base64 of a 32-byte SHA-256 (44 characters, as "
          "`openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst "
          "-sha256 -binary | base64` prints); a wrong pin stops every device from activating");
    }
  }
  if (m.version < 1) return Status::InvalidArgument("manifest version must be 1 or more");
  return Status::Ok();
}

Result<std::string> SignManifest(const RegionManifest& m, const crypto::SecretKey& root) {
  HOMEPORT_RETURN_IF_ERROR(ValidateManifest(m));
  nlohmann::json payload = {{"region", m.region},
                            {"variants", m.variants},
                            {"activation_url", m.activation_url},
                            {"uxp_url", m.uxp_url},
                            {"tls_pins", m.tls_pins},
                            {"version", m.version},
                            {"issued_at", m.issued_at}};
  return crypto::SignCompact(payload.dump(), root, {{"typ", kManifestType}});
}

Result<RegionManifest> VerifyManifest(std::string_view jws, const crypto::PublicKey& root) {
  while (!jws.empty() && (jws.back() == '\n' || jws.back() == '\r' || jws.back() == ' ')) {
    jws.remove_suffix(1);
  }
  auto verified = crypto::VerifyCompact(jws, root);
  if (!verified.ok()) {
    return Status::PermissionDenied("manifest does not verify against the root key (" +
                                    verified.status().message() + ")");
  }
  auto typ = verified->header.find("typ");
  if (typ == verified->header.end() || *typ != nlohmann::json(kManifestType)) {
    return Status::PermissionDenied("signed document is not a region manifest");
  }
  auto j = nlohmann::json::parse(verified->payload, nullptr, false);
  if (!j.is_object()) return Status::Corruption("manifest payload is not a JSON object");
  HOMEPORT_ASSIGN_OR_RETURN(RegionManifest m, FromJson(j));
  HOMEPORT_RETURN_IF_ERROR(ValidateManifest(m));
  return m;
}

Status CheckManifestForDevice(const RegionManifest& m, const DeviceProfile& device) {
  if (m.region != device.region) {
    return Status::PermissionDenied("manifest is for region \"" + m.region +
                                    "\" but this device was made for region \"" + device.region +
                                    "\": refusing to send anything");
  }
  if (std::find(m.variants.begin(), m.variants.end(), device.variant) == m.variants.end()) {
    return Status::PermissionDenied("manifest for region \"" + m.region +
                                    "\" does not serve variant \"" + device.variant + "\"");
  }
  return Status::Ok();
}

}  // namespace homeport
