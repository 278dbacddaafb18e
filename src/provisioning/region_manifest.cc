// Region manifests as JWS: the payload is a JSON object with the RegionManifest fields, the
// data-flow declaration, when there is one, as the object "data_flow", and "rollback": true
// on an explicit rollback.
#include "provisioning/region_manifest.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/host_pattern.h"
#include "crypto/base64.h"
#include "crypto/jws.h"

namespace homeport {
namespace {

constexpr const char* kManifestType = "homeport-manifest+jws";

bool IsHttpUrl(const std::string& url) {
  return (url.rfind("https://", 0) == 0 && url.size() > 8) ||
         (url.rfind("http://", 0) == 0 && url.size() > 7);
}

// Unknown members of "data_flow" are refused rather than skipped: a declaration read as
// allowing less (or more) than its signer wrote would be worse than none.
Result<DataFlowDeclaration> DataFlowFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::Corruption("manifest payload: data_flow is not an object");
  static const char* const kFields[] = {"allow_hosts", "allow_countries", "allow_identifiers",
                                        "allow_cleartext"};
  for (const auto& [key, value] : j.items()) {
    if (std::none_of(std::begin(kFields), std::end(kFields),
                     [&name = key](const char* f) { return name == f; })) {
      return Status::Corruption("manifest payload: unknown data_flow field \"" + key + "\"");
    }
  }
  DataFlowDeclaration d;
  d.allow_hosts = j.value("allow_hosts", std::vector<std::string>{});
  d.allow_countries = j.value("allow_countries", std::vector<std::string>{});
  d.allow_identifiers = j.value("allow_identifiers", std::vector<std::string>{});
  d.allow_cleartext = j.value("allow_cleartext", false);
  if (j.contains("allow_countries") && d.allow_countries.empty()) {
    return Status::Corruption(
        "manifest payload: data_flow.allow_countries is empty (it is left out when no countries "
        "are declared)");
  }
  return d;
}

nlohmann::json DataFlowToJson(const DataFlowDeclaration& d) {
  nlohmann::json j = {{"allow_hosts", d.allow_hosts},
                      {"allow_identifiers", d.allow_identifiers},
                      {"allow_cleartext", d.allow_cleartext}};
  if (!d.allow_countries.empty()) j["allow_countries"] = d.allow_countries;
  return j;
}

const char* EndpointName(const std::string* url, const RegionManifest& m) {
  return url == &m.activation_url ? "activation endpoint" : "UX-program endpoint";
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
    if (j.contains("data_flow")) {
      HOMEPORT_ASSIGN_OR_RETURN(m.data_flow, DataFlowFromJson(j["data_flow"]));
    }
    // get<bool> refuses "true" and 1: a rollback is allowed only by exactly what signing writes.
    if (j.contains("rollback")) m.rollback = j.at("rollback").get<bool>();
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
  return CheckDataFlowDeclaration(m);
}

bool IsCountryCode(std::string_view code) {
  return code.size() == 2 && std::all_of(code.begin(), code.end(),
                                         [](char c) { return c >= 'A' && c <= 'Z'; });
}

Result<std::string> EndpointHost(std::string_view url) {
  std::string_view rest = url;
  for (std::string_view scheme : {"https://", "http://"}) {
    if (rest.starts_with(scheme)) {
      rest.remove_prefix(scheme.size());
      break;
    }
  }
  if (rest.size() == url.size()) {
    return Status::InvalidArgument("\"" + std::string(url) + "\" is not an http(s) URL");
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);  // user information: the host follows it
  }
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("\"" + std::string(url) + "\": unclosed [ in its host");
    }
    host = authority.substr(0, close + 1);
    port = authority.substr(close + 1);
  } else if (size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon);
  }
  if (!port.empty()) {
    const std::string_view digits = port.substr(1);
    const bool ok = port.front() == ':' && !digits.empty() && digits.size() <= 5 &&
                    std::all_of(digits.begin(), digits.end(),
                                [](char c) { return c >= '0' && c <= '9'; }) &&
                    std::stoul(std::string(digits)) <= 65535;
    if (!ok) {
      return Status::InvalidArgument("\"" + std::string(url) + "\": bad port after its host");
    }
  }
  const std::string normalized = NormalizeHostName(host);
  if (Status st = CheckHostPattern(normalized); !st.ok()) {
    return Status::InvalidArgument("\"" + std::string(url) + "\": " + st.message());
  }
  if (normalized.find('*') != std::string::npos) {
    return Status::InvalidArgument("\"" + std::string(url) + "\": a wildcard is no host");
  }
  return normalized;
}

Status CheckDataFlowDeclaration(const RegionManifest& m) {
  if (!m.data_flow) return Status::Ok();
  const DataFlowDeclaration& d = *m.data_flow;
  for (const auto* list : {&d.allow_hosts, &d.allow_countries, &d.allow_identifiers}) {
    if (list->size() > kMaxDeclared) {
      return Status::InvalidArgument("a data-flow declaration lists at most " +
                                     std::to_string(kMaxDeclared) + " entries of each kind");
    }
  }
  std::vector<std::string> hosts;
  for (const auto& h : d.allow_hosts) {
    if (Status st = CheckHostPattern(h); !st.ok()) {
      return Status::InvalidArgument("declared " + st.message());
    }
    if (NormalizeHostName(h) == "*") {
      return Status::InvalidArgument(
          "declared host \"*\": a manifest declares the hosts it may reach by name (or "
          "\"*.example.com\"), not every host");
    }
    hosts.push_back(NormalizeHostName(h));
  }
  for (const auto& c : d.allow_countries) {
    if (!IsCountryCode(c)) {
      return Status::InvalidArgument("declared country \"" + c +
                                     "\" is not an ISO 3166-1 alpha-2 code such as \"SG\"");
    }
  }
  for (const auto& k : d.allow_identifiers) {
    const bool name = !k.empty() && k.size() <= 32 && std::all_of(k.begin(), k.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!name) {
      return Status::InvalidArgument("declared identifier kind \"" + k +
                                     "\" is not a kind name such as \"email\"");
    }
  }
  for (const std::string* url : {&m.activation_url, &m.uxp_url}) {
    HOMEPORT_ASSIGN_OR_RETURN(std::string host, EndpointHost(*url));
    if (std::none_of(hosts.begin(), hosts.end(),
                     [&](const std::string& p) { return HostPatternMatches(p, host); })) {
      return Status::InvalidArgument(
          std::string("the data-flow declaration contradicts the manifest: its ") +
          EndpointName(url, m) + "'s host \"" + host +
          "\" is not among the declared hosts (allow_hosts)");
    }
    if (!d.allow_cleartext && url->starts_with("http://")) {
      return Status::InvalidArgument(
          std::string("the data-flow declaration contradicts the manifest: its ") +
          EndpointName(url, m) + " " + *url +
          " is cleartext (http://) and the declaration does not allow cleartext "
          "(allow_cleartext)");
    }
  }
  return Status::Ok();
}

DataFlowDeclaration EffectiveDataFlow(const RegionManifest& m) {
  DataFlowDeclaration d;
  if (m.data_flow) {
    d = *m.data_flow;
    for (auto& h : d.allow_hosts) h = NormalizeHostName(h);
  } else {
    d.allow_cleartext =
        m.activation_url.starts_with("http://") || m.uxp_url.starts_with("http://");
  }
  for (const std::string* url : {&m.activation_url, &m.uxp_url}) {
    auto host = EndpointHost(*url);
    if (!host.ok()) continue;  // ValidateManifest refused it if it mattered
    if (std::none_of(d.allow_hosts.begin(), d.allow_hosts.end(),
                     [&](const std::string& p) { return HostPatternMatches(p, *host); })) {
      d.allow_hosts.push_back(*host);
    }
  }
  return d;
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
  if (m.data_flow) payload["data_flow"] = DataFlowToJson(*m.data_flow);
  // Only when set: a regular manifest's payload stays what every earlier agent reads.
  if (m.rollback) payload["rollback"] = true;
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
