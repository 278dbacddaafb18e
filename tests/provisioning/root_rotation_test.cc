// Rotation statements: signed by the old root key, verified only against the key a device
// trusts, and refused when forged, of another kind, or saying anything but one hand-over.
#include "provisioning/root_rotation.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "crypto/jws.h"
#include "provisioning/region_manifest.h"

namespace homeport {
namespace {

using nlohmann::json;

constexpr const char* kIssued = "2026-11-29T10:00:00.000Z";

class RootRotationTest : public ::testing::Test {
 protected:
  crypto::SecretKey old_ = crypto::SecretKey::Generate();
  crypto::SecretKey new_ = crypto::SecretKey::Generate();

  json Payload() const {
    return {{"old_kid", old_.Public().Thumbprint()},
            {"new_kid", new_.Public().Thumbprint()},
            {"new_root_public_key", crypto::ToJwk(new_.Public())},
            {"issued_at", kIssued}};
  }
  std::string Signed(const json& payload) const {
    return crypto::SignCompact(payload.dump(), old_, {{"typ", kRotationType}});
  }
};
using RootRotationStatement = RootRotationTest;

TEST_F(RootRotationStatement, SignVerifyRoundTrip) {
  auto jws = SignRootRotation(old_, new_.Public(), kIssued);
  ASSERT_TRUE(jws.ok()) << jws.status().ToString();
  auto header = crypto::PeekHeader(*jws);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ((*header)["typ"], "homeport-rotation+jws");
  EXPECT_EQ((*header)["kid"], old_.Public().Thumbprint());

  auto r = VerifyRootRotation(*jws + "\n", old_.Public());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->new_root, new_.Public());
  EXPECT_EQ(r->old_kid, old_.Public().Thumbprint());
  EXPECT_EQ(r->new_kid, new_.Public().Thumbprint());
  EXPECT_EQ(r->issued_at, kIssued);
}

TEST_F(RootRotationStatement, SigningRefusesTheSameKeyAndABadTime) {
  EXPECT_TRUE(SignRootRotation(old_, old_.Public(), kIssued).status().IsInvalidArgument());
  EXPECT_TRUE(SignRootRotation(old_, new_.Public(), "yesterday").status().IsInvalidArgument());
}

TEST_F(RootRotationStatement, OnlyTheTrustedKeyVerifiesIt) {
  auto jws = SignRootRotation(old_, new_.Public(), kIssued);
  ASSERT_TRUE(jws.ok());
  // The new key (or any other) cannot vouch for a statement of the old one.
  EXPECT_TRUE(VerifyRootRotation(*jws, new_.Public()).status().IsPermissionDenied());
  // A payload swapped under the old key's signature.
  json swapped = Payload();
  crypto::SecretKey mallory = crypto::SecretKey::Generate();
  swapped["new_kid"] = mallory.Public().Thumbprint();
  swapped["new_root_public_key"] = crypto::ToJwk(mallory.Public());
  const std::string tampered = jws->substr(0, jws->find('.') + 1) +
                               crypto::Base64UrlEncode(swapped.dump()) +
                               jws->substr(jws->rfind('.'));
  auto r = VerifyRootRotation(tampered, old_.Public());
  EXPECT_TRUE(r.status().IsPermissionDenied()) << r.status().ToString();
}

TEST_F(RootRotationStatement, RefusesOtherDocumentsOfTheSameKey) {
  EXPECT_TRUE(VerifyRootRotation(crypto::SignCompact(Payload().dump(), old_), old_.Public())
                  .status()
                  .IsPermissionDenied());
  auto as_manifest = VerifyRootRotation(
      crypto::SignCompact(Payload().dump(), old_, {{"typ", "homeport-manifest+jws"}}),
      old_.Public());
  EXPECT_TRUE(as_manifest.status().IsPermissionDenied());
  EXPECT_NE(as_manifest.status().message().find("homeport-manifest+jws"), std::string::npos);
  // Nor is a statement a manifest.
  auto statement = SignRootRotation(old_, new_.Public(), kIssued);
  EXPECT_FALSE(VerifyManifest(*statement, old_.Public()).ok());
}

TEST_F(RootRotationStatement, RefusesMalformedPayloadsWithoutThrowing) {
  std::vector<std::pair<std::string, json>> cases;
  auto with = [&](const char* what, auto change) {
    json p = Payload();
    change(p);
    cases.push_back({what, p});
  };
  with("unknown member", [](json& p) { p["also_trust"] = "everyone"; });
  with("missing new key", [](json& p) { p.erase("new_root_public_key"); });
  with("missing issued_at", [](json& p) { p.erase("issued_at"); });
  with("kid not a string", [](json& p) { p["new_kid"] = 7; });
  with("short key", [](json& p) { p["new_root_public_key"]["x"] = crypto::Base64UrlEncode("x"); });
  with("RSA key", [](json& p) { p["new_root_public_key"]["kty"] = "RSA"; });
  with("key not an object", [](json& p) { p["new_root_public_key"] = "key"; });
  with("secret key", [&](json& p) { p["new_root_public_key"] = crypto::ToJwk(new_); });
  with("new_kid of another key", [&](json& p) { p["new_kid"] = old_.Public().Thumbprint(); });
  with("JWK kid of another key",
       [&](json& p) { p["new_root_public_key"]["kid"] = old_.Public().Thumbprint(); });
  with("old_kid of another key", [&](json& p) { p["old_kid"] = new_.Public().Thumbprint(); });
  with("to itself", [&](json& p) {
    p["new_kid"] = old_.Public().Thumbprint();
    p["new_root_public_key"] = crypto::ToJwk(old_.Public());
  });
  with("bad time", [](json& p) { p["issued_at"] = "2026-13-01T00:00:00Z"; });
  cases.push_back({"array", json::array()});
  for (const auto& [what, payload] : cases) {
    SCOPED_TRACE(what);
    Result<RootRotation> r = Status::Internal("not run");
    EXPECT_NO_THROW(r = VerifyRootRotation(Signed(payload), old_.Public()));
    EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
  }
  EXPECT_TRUE(VerifyRootRotation(crypto::SignCompact("not json", old_, {{"typ", kRotationType}}),
                                 old_.Public())
                  .status()
                  .IsCorruption());
}

}  // namespace
}  // namespace homeport
