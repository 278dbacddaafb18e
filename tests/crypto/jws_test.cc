// JWS with EdDSA: compact tokens (region manifests) and detached unencoded-payload signatures
// (activation requests). Everything that is not a valid EdDSA signature by the key is refused.
#include "crypto/jws.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/base64.h"

namespace homeport::crypto {
namespace {

using nlohmann::json;

// Signs `header` + "." + `payload_segment` exactly as given: for building hostile tokens.
std::string Forge(const json& header, const std::string& payload_segment, const SecretKey& key) {
  std::string input = Base64UrlEncode(header.dump()) + "." + payload_segment;
  return input + "." + Base64UrlEncode(key.Sign(input));
}

std::vector<std::string> SplitDots(const std::string& token) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t dot = token.find('.', start);
    parts.push_back(token.substr(start, dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

class JwsTest : public ::testing::Test {
 protected:
  SecretKey key_ = SecretKey::Generate();
  PublicKey pub_ = key_.Public();
};

using Jws = JwsTest;

TEST_F(Jws, CompactRoundTrip) {
  const std::string payload = R"({"region":"sg","version":3})";
  std::string token = SignCompact(payload, key_, {{"typ", "homeport-manifest+jws"}});
  ASSERT_EQ(SplitDots(token).size(), 3u);
  auto v = VerifyCompact(token, pub_);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->payload, payload);
  EXPECT_EQ(v->header["alg"], "EdDSA");
  EXPECT_EQ(v->header["kid"], pub_.Thumbprint());
  EXPECT_EQ(v->header["typ"], "homeport-manifest+jws");
}

TEST_F(Jws, CompactRoundTripOfBinaryAndEmptyPayloads) {
  for (const std::string& payload : {std::string(), std::string("\0.\xff\n..", 6)}) {
    auto v = VerifyCompact(SignCompact(payload, key_), pub_);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->payload, payload);
  }
}

TEST(JwsInterop, VerifiesRfc8037AppendixA4) {
  auto pub = PublicKey::FromBase64Url("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
  ASSERT_TRUE(pub.ok());
  const std::string token =
      "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
      "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
  auto v = VerifyCompact(token, *pub);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->payload, "Example of Ed25519 signing");

  auto sk = SecretKeyFromJwk(
      {{"kty", "OKP"}, {"crv", "Ed25519"}, {"d", "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}});
  ASSERT_TRUE(sk.ok());
  EXPECT_EQ(Forge({{"alg", "EdDSA"}}, Base64UrlEncode("Example of Ed25519 signing"), *sk), token);
}

TEST_F(Jws, RefusesTamperedPayload) {
  auto parts = SplitDots(SignCompact(R"({"region":"sg"})", key_));
  std::string token = parts[0] + "." + Base64UrlEncode(R"({"region":"cn"})") + "." + parts[2];
  auto v = VerifyCompact(token, pub_);
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.status().IsPermissionDenied()) << v.status().ToString();
}

TEST_F(Jws, RefusesTamperedHeader) {
  auto parts = SplitDots(SignCompact("payload", key_, {{"typ", "homeport-manifest+jws"}}));
  json header = json::parse(*Base64UrlDecode(parts[0]));
  header["typ"] = "something-else";
  std::string token = Base64UrlEncode(header.dump()) + "." + parts[1] + "." + parts[2];
  EXPECT_FALSE(VerifyCompact(token, pub_).ok());
}

TEST_F(Jws, RefusesTamperedSignature) {
  auto parts = SplitDots(SignCompact("payload", key_));
  std::string sig = *Base64UrlDecode(parts[2]);
  for (size_t i : {size_t{0}, size_t{31}, size_t{63}}) {
    std::string bad = sig;
    bad[i] ^= 0x01;
    std::string token = parts[0] + "." + parts[1] + "." + Base64UrlEncode(bad);
    EXPECT_FALSE(VerifyCompact(token, pub_).ok()) << "bit flipped in byte " << i;
  }
  EXPECT_FALSE(VerifyCompact(parts[0] + "." + parts[1] + ".", pub_).ok());
  EXPECT_FALSE(VerifyCompact(parts[0] + "." + parts[1] + "." + parts[2].substr(1), pub_).ok());
}

TEST_F(Jws, RefusesWrongKey) {
  auto v = VerifyCompact(SignCompact("payload", key_), SecretKey::Generate().Public());
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.status().IsPermissionDenied());
}

TEST_F(Jws, RefusesAlgNone) {
  const std::string payload = Base64UrlEncode("payload");
  std::string unsigned_token = Base64UrlEncode(R"({"alg":"none"})") + "." + payload + ".";
  auto v = VerifyCompact(unsigned_token, pub_);
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.status().IsPermissionDenied()) << v.status().ToString();
  // Even carrying a valid Ed25519 signature by the right key.
  EXPECT_FALSE(VerifyCompact(Forge({{"alg", "none"}}, payload, key_), pub_).ok());
  EXPECT_FALSE(PeekHeader(unsigned_token).ok());
}

TEST_F(Jws, RefusesHs256AndOtherAlgorithms) {
  const std::string payload = Base64UrlEncode("payload");
  for (const char* alg : {"HS256", "RS256", "ES256", "eddsa", "EDDSA", "Ed25519", ""}) {
    auto v = VerifyCompact(Forge({{"alg", alg}}, payload, key_), pub_);
    EXPECT_FALSE(v.ok()) << alg;
  }
  auto no_alg = VerifyCompact(Forge({{"kid", pub_.Thumbprint()}}, payload, key_), pub_);
  EXPECT_FALSE(no_alg.ok());
}

TEST_F(Jws, RefusesNonStringAlgWithoutThrowing) {
  const std::string payload = Base64UrlEncode("payload");
  for (const json& alg :
       {json(1), json(nullptr), json::array({"EdDSA"}), json::object(), json(true)}) {
    std::string token = Forge({{"alg", alg}}, payload, key_);
    Result<VerifiedJws> v = Status::Internal("not run");
    EXPECT_NO_THROW(v = VerifyCompact(token, pub_)) << alg.dump();
    EXPECT_FALSE(v.ok()) << alg.dump();
    EXPECT_NO_THROW((void)PeekHeader(token)) << alg.dump();
  }
}

TEST_F(Jws, RefusesCriticalExtensionsInCompactForm) {
  std::string token =
      Forge({{"alg", "EdDSA"}, {"crit", {"exp"}}, {"exp", 1}}, Base64UrlEncode("p"), key_);
  EXPECT_FALSE(VerifyCompact(token, pub_).ok());
}

TEST_F(Jws, RefusesMalformedTokens) {
  std::string good = SignCompact("payload", key_);
  auto parts = SplitDots(good);
  for (const std::string& bad : std::vector<std::string>{
           "",
           ".",
           "..",
           "...",
           "abc",
           parts[0] + "." + parts[1],
           good + ".",
           good + ".x",
           "!!." + parts[1] + "." + parts[2],                              // header not base64url
           Base64UrlEncode("not json") + "." + parts[1] + "." + parts[2],  // header not JSON
           Base64UrlEncode(R"(["EdDSA"])") + "." + parts[1] + "." + parts[2],  // header not object
           parts[0] + "." + parts[1] + ".!!",  // signature not base64url
           good + "\n",
       }) {
    Result<VerifiedJws> v = Status::Internal("not run");
    EXPECT_NO_THROW(v = VerifyCompact(bad, pub_)) << bad;
    EXPECT_FALSE(v.ok()) << "accepted \"" << bad << "\"";
  }
}

TEST_F(Jws, PeekHeaderReadsTheKidWithoutAKey) {
  std::string token = SignCompact("payload", key_, {{"typ", "t"}});
  auto h = PeekHeader(token);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ((*h)["kid"], pub_.Thumbprint());
  EXPECT_EQ((*h)["typ"], "t");
  EXPECT_FALSE(PeekHeader("garbage").ok());
}

TEST_F(Jws, PeekKeyIdNamesTheClaimedSignerOrNothing) {
  EXPECT_EQ(PeekKeyId(SignCompact("payload", key_)), pub_.Thumbprint());
  EXPECT_EQ(PeekKeyId(SignCompact("payload", key_, {{"kid", 7}})), "");
  EXPECT_EQ(PeekKeyId("garbage"), "");
  EXPECT_EQ(PeekKeyId(""), "");
}

TEST_F(Jws, DetachedRoundTripOverRawBytes) {
  // Exact body bytes, including ones base64url would never contain.
  const char kBody[] = "{\"serial\":\"B1-000001\"}\r\n\0\xff..";
  const std::string body(kBody, sizeof kBody - 1);
  std::string jws = SignDetached(body, key_);
  auto parts = SplitDots(jws);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_TRUE(parts[1].empty()) << "the payload travels beside the signature, not in it";
  json header = json::parse(*Base64UrlDecode(parts[0]));
  EXPECT_EQ(header["alg"], "EdDSA");
  EXPECT_EQ(header["b64"], false);
  EXPECT_EQ(header["crit"], json({"b64"}));
  EXPECT_EQ(header["kid"], pub_.Thumbprint());

  Status st = VerifyDetached(jws, body, pub_);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(VerifyDetached(SignDetached("", key_), "", pub_).ok());
}

TEST_F(Jws, DetachedRefusesModifiedBody) {
  const std::string body = R"({"serial":"B1-000001","region":"sg"})";
  std::string jws = SignDetached(body, key_);
  for (const std::string& other : {std::string(R"({"serial":"B1-000001","region":"cn"})"),
                                   body + " ", body + "\n", body.substr(1), std::string()}) {
    Status st = VerifyDetached(jws, other, pub_);
    EXPECT_TRUE(st.IsPermissionDenied()) << other << ": " << st.ToString();
  }
}

TEST_F(Jws, DetachedRefusesWrongKey) {
  std::string jws = SignDetached("body", key_);
  EXPECT_TRUE(VerifyDetached(jws, "body", SecretKey::Generate().Public()).IsPermissionDenied());
}

// An unencoded-payload signature: header + "." + raw body, as an attacker could build it.
std::string ForgeDetached(const json& header, std::string_view body, const SecretKey& key) {
  std::string h = Base64UrlEncode(header.dump());
  std::string input = h + ".";
  input.append(body);
  return h + ".." + Base64UrlEncode(key.Sign(input));
}

TEST_F(Jws, DetachedRefusesMissingOrWrongCrit) {
  const std::string body = "body";
  ASSERT_TRUE(VerifyDetached(
                  ForgeDetached({{"alg", "EdDSA"}, {"b64", false}, {"crit", {"b64"}}}, body, key_),
                  body, pub_)
                  .ok());
  for (const json& header : std::vector<json>{
           {{"alg", "EdDSA"}, {"b64", false}},                           // no crit
           {{"alg", "EdDSA"}, {"b64", false}, {"crit", json::array()}},  // b64 not critical
           {{"alg", "EdDSA"}, {"b64", false}, {"crit", {"exp"}}},        // other critical
           {{"alg", "EdDSA"}, {"b64", false}, {"crit", "b64"}},          // not an array
           {{"alg", "EdDSA"}, {"crit", {"b64"}}},                        // b64 missing
           {{"alg", "EdDSA"}, {"b64", true}, {"crit", {"b64"}}},         // b64 true
           {{"alg", "EdDSA"}},                                           // plain
           {{"alg", "none"}, {"b64", false}, {"crit", {"b64"}}},         // alg none
           {{"alg", "HS256"}, {"b64", false}, {"crit", {"b64"}}},        // HMAC
       }) {
    Status st = VerifyDetached(ForgeDetached(header, body, key_), body, pub_);
    EXPECT_FALSE(st.ok()) << header.dump();
  }
}

TEST_F(Jws, DetachedRefusesOddHeaderTypesWithoutThrowing) {
  for (const json& header : std::vector<json>{
           {{"alg", "EdDSA"}, {"b64", "false"}, {"crit", {"b64"}}},
           {{"alg", "EdDSA"}, {"b64", 0}, {"crit", {"b64"}}},
           {{"alg", "EdDSA"}, {"b64", nullptr}, {"crit", {"b64"}}},
           {{"alg", 7}, {"b64", false}, {"crit", {"b64"}}},
       }) {
    Status st;
    EXPECT_NO_THROW(st = VerifyDetached(ForgeDetached(header, "body", key_), "body", pub_))
        << header.dump();
    EXPECT_FALSE(st.ok()) << header.dump();
  }
}

TEST_F(Jws, DetachedAndCompactFormsAreNotInterchangeable) {
  const std::string body = "body";
  // A compact token is not a detached signature of its payload...
  EXPECT_FALSE(VerifyDetached(SignCompact(body, key_), body, pub_).ok());
  // ...nor a detached one a compact token (its crit header is refused there).
  EXPECT_FALSE(VerifyCompact(SignDetached(body, key_), pub_).ok());
  // Filling in the payload part of a detached signature does not make it verify.
  auto parts = SplitDots(SignDetached(body, key_));
  EXPECT_FALSE(
      VerifyDetached(parts[0] + "." + Base64UrlEncode(body) + "." + parts[2], body, pub_).ok());
}

}  // namespace
}  // namespace homeport::crypto
