// JWS compact and detached-unencoded serializations over Ed25519.
#include "crypto/jws.h"

#include "crypto/base64.h"

namespace homeport::crypto {
namespace {

struct Parts {
  std::string_view header, payload, signature;
};

Result<Parts> Split(std::string_view token) {
  size_t a = token.find('.');
  size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) {
    return Status::InvalidArgument("a JWS has three dot-separated parts");
  }
  return Parts{token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

Result<nlohmann::json> DecodeHeader(std::string_view b64) {
  auto raw = Base64UrlDecode(b64);
  if (!raw.ok()) return Status::InvalidArgument("JWS header is not base64url");
  auto h = nlohmann::json::parse(*raw, nullptr, false);
  if (!h.is_object()) return Status::InvalidArgument("JWS header is not a JSON object");
  // Never json::value() here: it throws when a hostile header gives "alg" another type.
  auto alg = h.find("alg");
  if (alg == h.end() || !alg->is_string() || alg->get_ref<const std::string&>() != "EdDSA") {
    return Status::PermissionDenied("JWS alg must be EdDSA, not " +
                                    (alg == h.end() ? std::string("missing") : alg->dump()));
  }
  return h;
}

std::string EncodeHeader(const SecretKey& key, const nlohmann::json& extra) {
  nlohmann::json h = {{"alg", "EdDSA"}, {"kid", key.Public().Thumbprint()}};
  for (auto& [k, v] : extra.items()) h[k] = v;
  return Base64UrlEncode(h.dump());
}

}  // namespace

std::string SignCompact(std::string_view payload, const SecretKey& key,
                        const nlohmann::json& extra_header) {
  std::string input = EncodeHeader(key, extra_header) + "." + Base64UrlEncode(payload);
  return input + "." + Base64UrlEncode(key.Sign(input));
}

Result<nlohmann::json> PeekHeader(std::string_view token) {
  HOMEPORT_ASSIGN_OR_RETURN(Parts p, Split(token));
  return DecodeHeader(p.header);
}

std::string PeekKeyId(std::string_view token) {
  auto header = PeekHeader(token);
  if (!header.ok()) return "";
  auto kid = header->find("kid");
  return kid != header->end() && kid->is_string() ? kid->get<std::string>() : "";
}

Result<VerifiedJws> VerifyCompact(std::string_view token, const PublicKey& key) {
  HOMEPORT_ASSIGN_OR_RETURN(Parts p, Split(token));
  HOMEPORT_ASSIGN_OR_RETURN(nlohmann::json header, DecodeHeader(p.header));
  if (header.contains("crit")) return Status::PermissionDenied("JWS has critical extensions");
  auto sig = Base64UrlDecode(p.signature);
  size_t input_len = p.header.size() + 1 + p.payload.size();
  if (!sig.ok() || !Verify(key, token.substr(0, input_len), *sig)) {
    return Status::PermissionDenied("JWS signature does not verify");
  }
  auto payload = Base64UrlDecode(p.payload);
  if (!payload.ok()) return Status::InvalidArgument("JWS payload is not base64url");
  return VerifiedJws{std::move(header), std::move(*payload)};
}

std::string SignDetached(std::string_view payload, const SecretKey& key) {
  std::string header = EncodeHeader(key, {{"b64", false}, {"crit", {"b64"}}});
  std::string input = header + ".";
  input.append(payload);
  return header + ".." + Base64UrlEncode(key.Sign(input));
}

Status VerifyDetached(std::string_view jws, std::string_view payload, const PublicKey& key) {
  HOMEPORT_ASSIGN_OR_RETURN(Parts p, Split(jws));
  if (!p.payload.empty()) return Status::InvalidArgument("a detached JWS has an empty payload part");
  HOMEPORT_ASSIGN_OR_RETURN(nlohmann::json header, DecodeHeader(p.header));
  auto crit = header.find("crit");
  auto b64 = header.find("b64");
  if (b64 == header.end() || *b64 != nlohmann::json(false) || crit == header.end() ||
      *crit != nlohmann::json::array({"b64"})) {
    return Status::InvalidArgument(R"(a detached JWS must have "b64": false and "crit": ["b64"])");
  }
  std::string input;
  input.reserve(p.header.size() + 1 + payload.size());
  input.append(p.header).append(".").append(payload);
  auto sig = Base64UrlDecode(p.signature);
  if (!sig.ok() || !Verify(key, input, *sig)) {
    return Status::PermissionDenied("signature does not verify");
  }
  return Status::Ok();
}

}  // namespace homeport::crypto
