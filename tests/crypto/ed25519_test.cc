// Ed25519 keys: RFC 8032 test vectors through the JWK form (RFC 8037), RFC 7638 thumbprints,
// and the key files homeport writes.
#include "crypto/ed25519.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/testing_temp_dir.h"
#include "crypto/base64.h"

namespace homeport::crypto {
namespace {

using nlohmann::json;
using testing::FileMode;
using testing::TempDir;

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string ToHex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string KeyHex(const PublicKey& k) {
  return ToHex({reinterpret_cast<const char*>(k.bytes.data()), k.bytes.size()});
}

// RFC 8032 section 7.1, TEST 1 (also the example key of RFC 8037 appendix A).
constexpr std::string_view kSeedHex =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr std::string_view kPublicHex =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr std::string_view kEmptySigHex =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
// RFC 8037 appendix A.1-A.3.
constexpr const char* kRfc8037D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr const char* kRfc8037X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr const char* kRfc8037Kid = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

json SeedJwk(std::string_view seed_hex) {
  return {{"kty", "OKP"}, {"crv", "Ed25519"}, {"d", Base64UrlEncode(FromHex(seed_hex))}};
}

TEST(Ed25519, Rfc8032TestVector1) {
  auto sk = SecretKeyFromJwk(SeedJwk(kSeedHex));
  ASSERT_TRUE(sk.ok()) << sk.status().ToString();
  EXPECT_EQ(KeyHex(sk->Public()), kPublicHex);
  std::string sig = sk->Sign("");
  EXPECT_EQ(ToHex(sig), kEmptySigHex);
  EXPECT_TRUE(Verify(sk->Public(), "", sig));
  EXPECT_TRUE(Verify(sk->Public(), "", FromHex(kEmptySigHex)));
}

TEST(Ed25519, Rfc8037ExampleKeyDecodesToTheRfc8032Key) {
  EXPECT_EQ(Base64UrlEncode(FromHex(kSeedHex)), kRfc8037D);
  auto pk = PublicKey::FromBase64Url(kRfc8037X);
  ASSERT_TRUE(pk.ok());
  EXPECT_EQ(KeyHex(*pk), kPublicHex);
}

TEST(Ed25519, Rfc8037ThumbprintIsTheKeyId) {
  auto pk = PublicKey::FromBase64Url(kRfc8037X);
  ASSERT_TRUE(pk.ok());
  EXPECT_EQ(pk->Thumbprint(), kRfc8037Kid);
  EXPECT_EQ(ToJwk(*pk)["kid"], kRfc8037Kid);
}

TEST(Ed25519, PublicJwkHasNoSecret) {
  auto pk = PublicKey::FromBase64Url(kRfc8037X);
  json j = ToJwk(*pk);
  EXPECT_EQ(j["kty"], "OKP");
  EXPECT_EQ(j["crv"], "Ed25519");
  EXPECT_EQ(j["x"], kRfc8037X);
  EXPECT_FALSE(j.contains("d"));
}

TEST(Ed25519, SecretJwkRoundTrips) {
  SecretKey sk = SecretKey::Generate();
  json j = ToJwk(sk);
  ASSERT_TRUE(j.contains("d"));
  EXPECT_EQ(j["x"], sk.Public().ToBase64Url());
  EXPECT_EQ(j["kid"], sk.Public().Thumbprint());

  auto back = SecretKeyFromJwk(json::parse(j.dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->bytes, sk.bytes);
  auto pub = PublicKeyFromJwk(j);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(*pub, sk.Public());
  auto pub_only = PublicKeyFromJwk(ToJwk(sk.Public()));
  ASSERT_TRUE(pub_only.ok());
  EXPECT_EQ(*pub_only, sk.Public());
}

TEST(Ed25519, Rfc8037SecretJwkWithMatchingXIsAccepted) {
  json j = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"d", kRfc8037D}, {"x", kRfc8037X}};
  auto sk = SecretKeyFromJwk(j);
  ASSERT_TRUE(sk.ok()) << sk.status().ToString();
  EXPECT_EQ(sk->Public().ToBase64Url(), kRfc8037X);
}

TEST(Ed25519, SecretJwkWithMismatchedXIsRefused) {
  json j = ToJwk(SecretKey::Generate());
  j["x"] = SecretKey::Generate().Public().ToBase64Url();
  auto sk = SecretKeyFromJwk(j);
  ASSERT_FALSE(sk.ok());
  EXPECT_TRUE(sk.status().IsCorruption()) << sk.status().ToString();
}

TEST(Ed25519, MalformedJwksAreRefusedWithoutThrowing) {
  const json good = ToJwk(SecretKey::Generate());
  auto with = [&](const char* key, json value) {
    json j = good;
    j[key] = std::move(value);
    return j;
  };
  json no_x = good;
  no_x.erase("x");
  json no_d = good;
  no_d.erase("d");
  const std::vector<json> bad_public = {
      json(nullptr),
      json::array(),
      json("OKP"),
      no_x,
      with("kty", "RSA"),
      with("kty", 1),
      with("crv", "X25519"),
      with("crv", json::array()),
      with("x", 7),
      with("x", "not base64url!"),
      with("x", Base64UrlEncode(std::string(31, 'a'))),
      with("x", Base64UrlEncode(std::string(33, 'a'))),
  };
  for (const json& j : bad_public) {
    Result<PublicKey> r = Status::Internal("not run");
    EXPECT_NO_THROW(r = PublicKeyFromJwk(j)) << j.dump();
    EXPECT_FALSE(r.ok()) << j.dump();
  }
  const std::vector<json> bad_secret = {
      no_d,
      with("d", 1),
      with("d", "%%%"),
      with("d", Base64UrlEncode(std::string(31, 'a'))),
      with("d", Base64UrlEncode(std::string(64, 'a'))),
      with("kty", 1),
      with("crv", "P-256"),
      with("x", 7),
  };
  for (const json& j : bad_secret) {
    Result<SecretKey> r = Status::Internal("not run");
    EXPECT_NO_THROW(r = SecretKeyFromJwk(j)) << j.dump();
    EXPECT_FALSE(r.ok()) << j.dump();
  }
}

TEST(Ed25519, VerifyRefusesWrongMessageKeyOrSignature) {
  SecretKey sk = SecretKey::Generate();
  std::string sig = sk.Sign("activation");
  EXPECT_TRUE(Verify(sk.Public(), "activation", sig));
  EXPECT_FALSE(Verify(sk.Public(), "activation!", sig));
  EXPECT_FALSE(Verify(SecretKey::Generate().Public(), "activation", sig));
  std::string flipped = sig;
  flipped[10] ^= 1;
  EXPECT_FALSE(Verify(sk.Public(), "activation", flipped));
  EXPECT_FALSE(Verify(sk.Public(), "activation", sig.substr(0, 63)));
  EXPECT_FALSE(Verify(sk.Public(), "activation", sig + "x"));
  EXPECT_FALSE(Verify(sk.Public(), "activation", ""));
}

TEST(Ed25519, GeneratedKeysDiffer) {
  EXPECT_NE(SecretKey::Generate().Public(), SecretKey::Generate().Public());
}

TEST(Ed25519, PublicKeyBase64UrlRoundTripAndLength) {
  PublicKey pk = SecretKey::Generate().Public();
  std::string text = pk.ToBase64Url();
  EXPECT_EQ(text.size(), 43u);
  auto back = PublicKey::FromBase64Url(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, pk);
  EXPECT_FALSE(PublicKey::FromBase64Url(text.substr(0, 42)).ok());
  EXPECT_FALSE(PublicKey::FromBase64Url(text + "AA").ok());
  EXPECT_FALSE(PublicKey::FromBase64Url("").ok());
}

TEST(Ed25519, WriteKeyPairWritesSecret0600AndPublicFile) {
  TempDir dir;
  Env* env = Env::Default();
  const std::string path = dir.File("root.jwk");
  SecretKey sk = SecretKey::Generate();
  ASSERT_TRUE(WriteKeyPair(env, path, sk).ok());
  EXPECT_EQ(FileMode(path), 0600);
  EXPECT_EQ(FileMode(path + ".pub"), 0644);

  auto pub_text = env->ReadFile(path + ".pub");
  ASSERT_TRUE(pub_text.ok());
  json pub_json = json::parse(*pub_text);
  EXPECT_FALSE(pub_json.contains("d")) << "the .pub file must not hold the secret";

  auto pub = ReadPublicKey(env, path + ".pub");
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(*pub, sk.Public());
  auto from_secret_file = ReadPublicKey(env, path);
  ASSERT_TRUE(from_secret_file.ok());
  EXPECT_EQ(*from_secret_file, sk.Public());
  auto secret = ReadSecretKey(env, path);
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(secret->bytes, sk.bytes);
  EXPECT_FALSE(ReadSecretKey(env, path + ".pub").ok());
}

TEST(Ed25519, ReadKeyErrorsNameTheProblem) {
  TempDir dir;
  Env* env = Env::Default();
  auto missing = ReadPublicKey(env, dir.File("missing.pub"));
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound());

  ASSERT_TRUE(env->WriteFileAtomic(dir.File("junk"), "not json").ok());
  auto junk = ReadSecretKey(env, dir.File("junk"));
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find(dir.File("junk")), std::string::npos);

  json mismatched = ToJwk(SecretKey::Generate());
  mismatched["x"] = SecretKey::Generate().Public().ToBase64Url();
  ASSERT_TRUE(env->WriteFileAtomic(dir.File("bad.jwk"), mismatched.dump()).ok());
  auto bad = ReadPublicKey(env, dir.File("bad.jwk"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(dir.File("bad.jwk")), std::string::npos);
}

TEST(Ed25519, Sha256HexKnownAnswers) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace homeport::crypto
