// Rotation statements as JWS: signing with the old root key, verifying against the trusted one.
#include "provisioning/root_rotation.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "crypto/jws.h"

namespace homeport {
namespace {

std::string_view TrimTrailingSpace(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.remove_suffix(1);
  }
  return s;
}

Status Malformed(const std::string& what) {
  return Status::Corruption("rotation statement payload: " + what);
}

// Unknown members are refused rather than skipped: a statement read as saying less (or more)
// than its signer wrote would move trust on a misunderstanding.
Status CheckMembers(const nlohmann::json& j) {
  static const char* const kMembers[] = {"old_kid", "new_kid", "new_root_public_key", "issued_at"};
  for (const auto& [key, value] : j.items()) {
    if (std::none_of(std::begin(kMembers), std::end(kMembers),
                     [&name = key](const char* m) { return name == m; })) {
      return Malformed("unknown member \"" + key + "\"");
    }
  }
  for (const char* m : kMembers) {
    if (!j.contains(m)) return Malformed(std::string("no \"") + m + "\"");
  }
  for (const char* m : {"old_kid", "new_kid", "issued_at"}) {
    if (!j[m].is_string()) return Malformed(std::string("\"") + m + "\" is not a string");
  }
  return Status::Ok();
}

// The new key, which must agree with every way the payload names it.
Result<crypto::PublicKey> NewRootOf(const nlohmann::json& j) {
  const nlohmann::json& jwk = j["new_root_public_key"];
  auto key = crypto::PublicKeyFromJwk(jwk);
  if (!key.ok()) return Malformed("new_root_public_key: " + key.status().message());
  if (jwk.contains("d")) return Malformed("new_root_public_key holds a secret key (\"d\")");
  const std::string kid = key->Thumbprint();
  if (j["new_kid"].get<std::string>() != kid) {
    return Malformed("new_kid \"" + j["new_kid"].get<std::string>() +
                     "\" is not the thumbprint of new_root_public_key (" + kid + ")");
  }
  if (auto stated = jwk.find("kid");
      stated != jwk.end() && (!stated->is_string() || *stated != kid)) {
    return Malformed("new_root_public_key's \"kid\" is not its thumbprint (" + kid + ")");
  }
  return *key;
}

}  // namespace

Result<std::string> SignRootRotation(const crypto::SecretKey& old_root,
                                     const crypto::PublicKey& new_root,
                                     const std::string& issued_at) {
  if (old_root.Public() == new_root) {
    return Status::InvalidArgument("the new root key is the old one (" + new_root.Thumbprint() +
                                   "): nothing to rotate");
  }
  if (!ParseRfc3339(issued_at).ok()) {
    return Status::InvalidArgument("issued_at \"" + issued_at + "\" is not an RFC 3339 time");
  }
  nlohmann::json payload = {{"old_kid", old_root.Public().Thumbprint()},
                            {"new_kid", new_root.Thumbprint()},
                            {"new_root_public_key", crypto::ToJwk(new_root)},
                            {"issued_at", issued_at}};
  return crypto::SignCompact(payload.dump(), old_root, {{"typ", kRotationType}});
}

Result<RootRotation> VerifyRootRotation(std::string_view jws, const crypto::PublicKey& trusted) {
  jws = TrimTrailingSpace(jws);
  auto verified = crypto::VerifyCompact(jws, trusted);
  if (!verified.ok()) {
    return Status::PermissionDenied(
        "rotation statement does not verify against the trusted root "
        "key (" +
        verified.status().message() + ")");
  }
  auto typ = verified->header.find("typ");
  if (typ == verified->header.end() || *typ != nlohmann::json(kRotationType)) {
    return Status::PermissionDenied(
        "signed document is not a root key rotation statement (its typ is " +
        (typ == verified->header.end() ? std::string("missing") : typ->dump()) + ", not \"" +
        std::string(kRotationType) + "\")");
  }
  auto j = nlohmann::json::parse(verified->payload, nullptr, false);
  if (!j.is_object()) return Malformed("not a JSON object");
  HOMEPORT_RETURN_IF_ERROR(CheckMembers(j));
  RootRotation r;
  r.old_kid = j["old_kid"].get<std::string>();
  r.new_kid = j["new_kid"].get<std::string>();
  r.issued_at = j["issued_at"].get<std::string>();
  if (r.old_kid != trusted.Thumbprint()) {
    return Malformed("old_kid \"" + r.old_kid + "\" is not the signing key (" +
                     trusted.Thumbprint() + ")");
  }
  HOMEPORT_ASSIGN_OR_RETURN(r.new_root, NewRootOf(j));
  if (r.new_root == trusted) return Malformed("the new root key is the signing key itself");
  if (!ParseRfc3339(r.issued_at).ok()) {
    return Malformed("issued_at \"" + r.issued_at + "\" is not an RFC 3339 time");
  }
  return r;
}

}  // namespace homeport
