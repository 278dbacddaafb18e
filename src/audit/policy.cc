// Reading and applying an AuditPolicy. Unknown fields are errors: a misspelt "allow_host"
// silently ignored would make a policy stricter or looser than its author believes.
#include "audit/policy.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/host_pattern.h"
#include "common/json_text.h"
#include "crypto/ed25519.h"
#include "privacy/identifier_kind.h"
#include "provisioning/region_manifest.h"

namespace homeport::audit {
namespace {

Result<std::vector<std::string>> Strings(const nlohmann::json& doc, const char* field) {
  const auto& v = doc.at(field);
  if (!v.is_array())
    return Status::InvalidArgument(std::string(field) + ": expected an array of strings");
  std::vector<std::string> out;
  for (const auto& item : v) {
    if (!item.is_string() || item.get<std::string>().empty()) {
      return Status::InvalidArgument(std::string(field) +
                                     ": every entry must be a non-empty string");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<bool> Bool(const nlohmann::json& doc, const char* field) {
  if (!doc.at(field).is_boolean())
    return Status::InvalidArgument(std::string(field) + ": expected true or false");
  return doc.at(field).get<bool>();
}

}  // namespace

Result<AuditPolicy> AuditPolicy::Parse(std::string_view json) {
  HOMEPORT_ASSIGN_OR_RETURN(nlohmann::json doc, ParseJsonText(json, "the policy"));
  if (!doc.is_object()) {
    return Status::InvalidArgument("the policy is not a JSON object");
  }
  static const char* const kFields[] = {"region",          "allow_hosts",      "allow_countries",
                                        "allow_cleartext", "allow_private",    "allow_identifiers",
                                        "allow_uninspected"};
  for (const auto& [key, value] : doc.items()) {
    if (std::find_if(std::begin(kFields), std::end(kFields),
                     [&name = key](const char* f) { return name == f; }) == std::end(kFields)) {
      return Status::InvalidArgument("unknown policy field \"" + key + "\"");
    }
  }
  AuditPolicy p;
  if (!doc.contains("region") || !doc["region"].is_string() ||
      doc["region"].get<std::string>().empty()) {
    return Status::InvalidArgument("region: required (" + std::string(kRegionCodeMeaning) + ")");
  }
  p.region = doc["region"].get<std::string>();
  if (!doc.contains("allow_hosts")) {
    return Status::InvalidArgument("allow_hosts: required, e.g. [\"*.sg.example.com\"]");
  }
  HOMEPORT_ASSIGN_OR_RETURN(p.allow_hosts, Strings(doc, "allow_hosts"));
  for (auto& h : p.allow_hosts) {
    if (Status st = CheckHostPattern(h); !st.ok()) {
      return Status::InvalidArgument("allow_hosts: " + st.message());
    }
    h = NormalizeHostName(h);
  }
  if (doc.contains("allow_countries")) {
    HOMEPORT_ASSIGN_OR_RETURN(p.allow_countries, Strings(doc, "allow_countries"));
    for (auto& c : p.allow_countries) {
      if (c.size() != 2 || !std::isalpha(static_cast<unsigned char>(c[0])) ||
          !std::isalpha(static_cast<unsigned char>(c[1]))) {
        return Status::InvalidArgument("allow_countries: \"" + c +
                                       "\" is not an ISO 3166-1 alpha-2 code such as \"SG\"");
      }
      for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    p.judge_countries = true;
  }
  if (doc.contains("allow_cleartext")) {
    HOMEPORT_ASSIGN_OR_RETURN(p.allow_cleartext, Bool(doc, "allow_cleartext"));
  }
  if (doc.contains("allow_private")) {
    HOMEPORT_ASSIGN_OR_RETURN(p.allow_private, Bool(doc, "allow_private"));
  }
  if (doc.contains("allow_uninspected")) {
    HOMEPORT_ASSIGN_OR_RETURN(p.allow_uninspected, Bool(doc, "allow_uninspected"));
  }
  if (doc.contains("allow_identifiers")) {
    HOMEPORT_ASSIGN_OR_RETURN(p.allow_identifiers, Strings(doc, "allow_identifiers"));
    for (const auto& k : p.allow_identifiers) {
      if (!privacy::KindFromName(k)) {
        return Status::InvalidArgument("allow_identifiers: unknown identifier kind \"" + k + "\"");
      }
    }
  }
  return p;
}

Result<AuditPolicy> AuditPolicy::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot read the policy file");
  std::ostringstream text;
  text << in.rdbuf();
  auto p = Parse(text.str());
  if (!p.ok()) return p.status().WithContext(path);
  p->origin = "policy " + path + " (sha256 " + crypto::Sha256Hex(text.str()) + ")";
  return p;
}

bool AuditPolicy::AllowsHost(std::string_view host) const {
  const std::string h = NormalizeHostName(host);
  return std::any_of(allow_hosts.begin(), allow_hosts.end(),
                     [&h](const std::string& pattern) { return HostPatternMatches(pattern, h); });
}

bool AuditPolicy::AllowsCountry(std::string_view iso_code) const {
  if (!judge_countries) return true;
  std::string code(iso_code);
  for (char& ch : code) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return std::find(allow_countries.begin(), allow_countries.end(), code) != allow_countries.end();
}

bool AuditPolicy::AllowsIdentifierInClear(std::string_view kind) const {
  return std::find(allow_identifiers.begin(), allow_identifiers.end(), kind) !=
         allow_identifiers.end();
}

}  // namespace homeport::audit
