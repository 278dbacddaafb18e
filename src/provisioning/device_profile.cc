// JSON device profiles and the enrollment CSV format.
#include "provisioning/device_profile.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "common/json_text.h"
#include "common/time_format.h"
#include "provisioning/region_manifest.h"

namespace homeport {
namespace {

std::vector<std::string_view> SplitCommas(std::string_view line) {
  std::vector<std::string_view> out;
  for (;;) {
    size_t c = line.find(',');
    out.push_back(line.substr(0, c));
    if (c == std::string_view::npos) break;
    line.remove_prefix(c + 1);
  }
  return out;
}

// A JWK held as text, embedded as a JSON object. A profile whose key is missing or not JSON is
// written with null there (DeviceKey/RootKey then refuse it): serializing never throws.
nlohmann::json EmbeddedJwk(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

}  // namespace

bool IsValidIdentifierField(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
         });
}

std::string DeviceProfileToJson(const DeviceProfile& p) {
  nlohmann::json j = {{"serial", p.serial},
                      {"model", p.model},
                      {"sku", p.sku},
                      {"variant", p.variant},
                      {"region", p.region},
                      {"batch", p.batch},
                      {"client_version", p.client_version},
                      {"device_key", EmbeddedJwk(p.device_key_jwk)},
                      {"root_public_key", EmbeddedJwk(p.root_public_jwk)}};
  if (!p.made_on.empty()) j["made_on"] = p.made_on;
  if (!p.log_public_jwk.empty()) j["log_public_key"] = EmbeddedJwk(p.log_public_jwk);
  if (p.require_log_proof) j["require_log_proof"] = true;
  return j.dump(2) + "\n";
}

Result<DeviceProfile> ParseDeviceProfile(std::string_view text) {
  HOMEPORT_ASSIGN_OR_RETURN(nlohmann::json j, ParseJsonText(text, "the device profile"));
  if (!j.is_object()) return Status::InvalidArgument("device profile is not a JSON object");
  DeviceProfile p;
  try {
    p.serial = j.at("serial").get<std::string>();
    p.model = j.at("model").get<std::string>();
    p.sku = j.at("sku").get<std::string>();
    p.variant = j.at("variant").get<std::string>();
    p.region = j.at("region").get<std::string>();
    p.batch = j.at("batch").get<std::string>();
    p.client_version = j.at("client_version").get<std::string>();
    p.device_key_jwk = j.at("device_key").dump();
    p.root_public_jwk = j.at("root_public_key").dump();
    if (j.contains("made_on")) p.made_on = j.at("made_on").get<std::string>();
    if (j.contains("log_public_key")) p.log_public_jwk = j.at("log_public_key").dump();
    if (j.contains("require_log_proof")) p.require_log_proof = j.at("require_log_proof").get<bool>();
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("device profile: ") + e.what());
  }
  if (!IsValidRegionCode(p.region)) {
    return Status::InvalidArgument("device profile: bad region \"" + p.region + "\"");
  }
  // Calendar validity (no 2026-02-30) comes from the RFC 3339 parser.
  if (j.contains("made_on") &&
      (p.made_on.size() != 10 || !ParseRfc3339(p.made_on + "T00:00:00Z").ok())) {
    return Status::InvalidArgument("device profile: made_on \"" + p.made_on +
                                   "\" is not a YYYY-MM-DD date");
  }
  if (!p.log_public_jwk.empty()) {
    if (auto key = LogKey(p); !key.ok()) return key.status();
  } else if (p.require_log_proof) {
    return Status::InvalidArgument(
        "device profile: require_log_proof needs the region's log_public_key");
  }
  return p;
}

Result<crypto::SecretKey> DeviceKey(const DeviceProfile& p) {
  auto j = nlohmann::json::parse(p.device_key_jwk, nullptr, false);
  auto key = crypto::SecretKeyFromJwk(j);
  if (!key.ok()) return key.status().WithContext("device profile device_key");
  return key;
}

Result<crypto::PublicKey> RootKey(const DeviceProfile& p) {
  auto j = nlohmann::json::parse(p.root_public_jwk, nullptr, false);
  auto key = crypto::PublicKeyFromJwk(j);
  if (!key.ok()) return key.status().WithContext("device profile root_public_key");
  return key;
}

Result<crypto::PublicKey> LogKey(const DeviceProfile& p) {
  if (p.log_public_jwk.empty()) {
    return Status::NotFound("the device profile has no log_public_key (the region's log key)");
  }
  auto j = nlohmann::json::parse(p.log_public_jwk, nullptr, false);
  auto key = crypto::PublicKeyFromJwk(j);
  if (!key.ok()) return key.status().WithContext("device profile log_public_key");
  return key;
}

std::string EnrollmentCsvRow(const EnrollmentRecord& r) {
  return r.serial + "," + r.model + "," + r.sku + "," + r.variant + "," + r.region + "," +
         r.batch + "," + r.device_key.ToBase64Url();
}

ParsedEnrollmentCsv ParseEnrollmentCsv(std::string_view text) {
  ParsedEnrollmentCsv out;
  std::set<std::string, std::less<>> serials;
  int line_no = 0;
  bool saw_header = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (!saw_header) {
      saw_header = true;
      if (line != kEnrollmentCsvHeader) {
        out.problems.push_back({line_no, std::string("first line must be the header \"") +
                                             kEnrollmentCsvHeader + "\""});
      }
      continue;
    }
    auto f = SplitCommas(line);
    if (f.size() != 7) {
      out.problems.push_back({line_no, "expected 7 fields, found " + std::to_string(f.size())});
      continue;
    }
    static const char* kNames[] = {"serial", "model", "sku", "variant", "region", "batch"};
    std::string problem;
    for (int i = 0; i < 6 && problem.empty(); ++i) {
      bool ok = i == 4 ? IsValidRegionCode(f[i]) : IsValidIdentifierField(f[i]);
      if (!ok) problem = std::string("bad ") + kNames[i] + " \"" + std::string(f[i]) + "\"";
    }
    auto key = crypto::PublicKey::FromBase64Url(f[6]);
    if (problem.empty() && !key.ok()) problem = "bad public_key: " + key.status().message();
    if (problem.empty() && !serials.insert(std::string(f[0])).second) {
      problem = "serial " + std::string(f[0]) + " appears twice";
    }
    if (!problem.empty()) {
      out.problems.push_back({line_no, problem});
      continue;
    }
    out.record_lines.push_back(line_no);
    out.records.push_back({std::string(f[0]), std::string(f[1]), std::string(f[2]),
                           std::string(f[3]), std::string(f[4]), std::string(f[5]), *key});
  }
  if (!saw_header) out.problems.push_back({1, "empty file: no header"});
  return out;
}

}  // namespace homeport
