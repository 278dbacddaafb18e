// Ed25519 keys (libsodium) and their JSON Web Key form (RFC 8037, kty "OKP"), which is how
// homeport writes keys to files: any JOSE tool can read them.
// Key values are plain copyable types; all functions are thread-safe.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "homeport/env.h"
#include "homeport/status.h"

namespace homeport::crypto {

struct PublicKey {
  std::array<unsigned char, 32> bytes{};

  std::string ToBase64Url() const;
  static Result<PublicKey> FromBase64Url(std::string_view text);
  // RFC 7638 JWK thumbprint (SHA-256, base64url): the key id homeport puts in "kid".
  std::string Thumbprint() const;
  bool operator==(const PublicKey&) const = default;
};

struct SecretKey {
  // libsodium's 64-byte form: seed followed by the public key.
  std::array<unsigned char, 64> bytes{};

  static SecretKey Generate();
  PublicKey Public() const;
  std::string Sign(std::string_view message) const;  // 64-byte detached signature
};

bool Verify(const PublicKey& key, std::string_view message, std::string_view signature);

nlohmann::json ToJwk(const PublicKey& key);
nlohmann::json ToJwk(const SecretKey& key);  // includes "d": handle as a secret
Result<PublicKey> PublicKeyFromJwk(const nlohmann::json& jwk);
Result<SecretKey> SecretKeyFromJwk(const nlohmann::json& jwk);

// Writes the secret key to `path` (mode 0600) and the public key to `path`.pub (0644).
Status WriteKeyPair(Env* env, const std::string& path, const SecretKey& key);
Result<SecretKey> ReadSecretKey(Env* env, const std::string& path);
// Reads a public JWK file; a secret JWK file is accepted too and only its public half used.
Result<PublicKey> ReadPublicKey(Env* env, const std::string& path);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
}  // namespace homeport::crypto
