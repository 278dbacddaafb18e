// Ed25519 through libsodium; JWK encoding per RFC 8037 and thumbprints per RFC 7638.
#include "crypto/ed25519.h"

#include <sodium.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "crypto/base64.h"

namespace homeport::crypto {
namespace {
// sodium_init is idempotent and thread-safe; every entry point that needs it calls this.
void EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();
}

std::string_view AsView(const unsigned char* p, size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}

// True when `j` has member `name` equal to the string `want`. Unlike json::value(), never
// throws when the member has another type: JWKs come from files and the network.
bool HasString(const nlohmann::json& j, const char* name, std::string_view want) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() && it->get_ref<const std::string&>() == want;
}

Result<std::string> JwkMember(const nlohmann::json& jwk, const char* name) {
  if (!jwk.is_object() || !HasString(jwk, "kty", "OKP") || !HasString(jwk, "crv", "Ed25519")) {
    return Status::InvalidArgument("not an Ed25519 JWK (kty OKP, crv Ed25519)");
  }
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) {
    return Status::InvalidArgument(std::string("JWK has no \"") + name + "\"");
  }
  return Base64UrlDecode(it->get<std::string>());
}

Result<nlohmann::json> ReadJson(Env* env, const std::string& path) {
  HOMEPORT_ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
  return ParseJsonText(text, path);
}

}  // namespace

std::string PublicKey::ToBase64Url() const { return Base64UrlEncode(AsView(bytes.data(), 32)); }

Result<PublicKey> PublicKey::FromBase64Url(std::string_view text) {
  auto raw = Base64UrlDecode(text);
  if (!raw.ok() || raw->size() != 32) {
    return Status::InvalidArgument("an Ed25519 public key is 32 bytes of base64url");
  }
  PublicKey k;
  std::memcpy(k.bytes.data(), raw->data(), 32);
  return k;
}

std::string PublicKey::Thumbprint() const {
  EnsureSodium();
  // Members in lexicographic order, no white space (RFC 7638 section 3.2).
  std::string canonical = R"({"crv":"Ed25519","kty":"OKP","x":")" + ToBase64Url() + "\"}";
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(canonical.data()),
                     canonical.size());
  return Base64UrlEncode(AsView(digest, sizeof digest));
}

SecretKey SecretKey::Generate() {
  EnsureSodium();
  SecretKey sk;
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_keypair(pk, sk.bytes.data());
  return sk;
}

PublicKey SecretKey::Public() const {
  PublicKey pk;
  std::memcpy(pk.bytes.data(), bytes.data() + 32, 32);
  return pk;
}

std::string SecretKey::Sign(std::string_view message) const {
  EnsureSodium();
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       bytes.data());
  return sig;
}

bool Verify(const PublicKey& key, std::string_view message, std::string_view signature) {
  EnsureSodium();
  return signature.size() == crypto_sign_BYTES &&
         crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key.bytes.data()) == 0;
}

nlohmann::json ToJwk(const PublicKey& key) {
  return {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", key.ToBase64Url()}, {"kid", key.Thumbprint()}};
}

nlohmann::json ToJwk(const SecretKey& key) {
  nlohmann::json j = ToJwk(key.Public());
  j["d"] = Base64UrlEncode(AsView(key.bytes.data(), 32));
  return j;
}

Result<PublicKey> PublicKeyFromJwk(const nlohmann::json& jwk) {
  HOMEPORT_ASSIGN_OR_RETURN(std::string x, JwkMember(jwk, "x"));
  if (x.size() != 32) return Status::InvalidArgument("JWK \"x\" is not 32 bytes");
  PublicKey k;
  std::memcpy(k.bytes.data(), x.data(), 32);
  return k;
}

Result<SecretKey> SecretKeyFromJwk(const nlohmann::json& jwk) {
  EnsureSodium();
  HOMEPORT_ASSIGN_OR_RETURN(std::string d, JwkMember(jwk, "d"));
  if (d.size() != crypto_sign_SEEDBYTES) return Status::InvalidArgument("JWK \"d\" is not 32 bytes");
  SecretKey sk;
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_seed_keypair(pk, sk.bytes.data(), reinterpret_cast<const unsigned char*>(d.data()));
  if (jwk.contains("x")) {
    HOMEPORT_ASSIGN_OR_RETURN(PublicKey stated, PublicKeyFromJwk(jwk));
    if (stated != sk.Public()) return Status::Corruption("JWK \"x\" does not match its \"d\"");
  }
  return sk;
}

Status WriteKeyPair(Env* env, const std::string& path, const SecretKey& key) {
  HOMEPORT_RETURN_IF_ERROR(env->WriteFileAtomic(path, ToJwk(key).dump(2) + "\n", 0600));
  return env->WriteFileAtomic(path + ".pub", ToJwk(key.Public()).dump(2) + "\n", 0644);
}

Result<SecretKey> ReadSecretKey(Env* env, const std::string& path) {
  HOMEPORT_ASSIGN_OR_RETURN(nlohmann::json j, ReadJson(env, path));
  auto key = SecretKeyFromJwk(j);
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

Result<PublicKey> ReadPublicKey(Env* env, const std::string& path) {
  HOMEPORT_ASSIGN_OR_RETURN(nlohmann::json j, ReadJson(env, path));
  if (j.contains("d")) {
    auto sk = SecretKeyFromJwk(j);
    if (!sk.ok()) return sk.status().WithContext(path);
    return sk->Public();
  }
  auto key = PublicKeyFromJwk(j);
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

std::string Sha256Hex(std::string_view data) {
  EnsureSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

}  // namespace homeport::crypto
