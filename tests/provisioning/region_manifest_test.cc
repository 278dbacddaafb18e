// Region manifests: signed by the maker root key, verified on the device, and rule D1 — a
// device uses a manifest only if it names the device's own factory region and variant.
#include "provisioning/region_manifest.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "crypto/base64.h"
#include "crypto/jws.h"

namespace homeport {
namespace {

using nlohmann::json;

RegionManifest SgManifest() {
  RegionManifest m;
  m.region = "sg";
  m.variants = {"global", "global-lite"};
  m.activation_url = "https://activation.sg.example.com";
  m.uxp_url = "https://uxp.sg.example.com/";
  m.tls_pins = {"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="};
  m.version = 3;
  m.issued_at = "2026-11-29T13:24:05.123Z";
  return m;
}

DeviceProfile Device(std::string region, std::string variant) {
  DeviceProfile d;
  d.serial = "B1-000001";
  d.model = "HP7";
  d.sku = "HP7-64";
  d.variant = std::move(variant);
  d.region = std::move(region);
  d.batch = "B1";
  return d;
}

void ExpectSameManifest(const RegionManifest& a, const RegionManifest& b) {
  EXPECT_EQ(a.region, b.region);
  EXPECT_EQ(a.variants, b.variants);
  EXPECT_EQ(a.activation_url, b.activation_url);
  EXPECT_EQ(a.uxp_url, b.uxp_url);
  EXPECT_EQ(a.tls_pins, b.tls_pins);
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.issued_at, b.issued_at);
}

// Replaces the payload of a signed token, keeping the header and the old signature.
std::string WithPayload(const std::string& token, const json& payload) {
  size_t a = token.find('.'), b = token.rfind('.');
  return token.substr(0, a + 1) + crypto::Base64UrlEncode(payload.dump()) + token.substr(b);
}

json PayloadOf(const std::string& token) {
  size_t a = token.find('.'), b = token.rfind('.');
  return json::parse(*crypto::Base64UrlDecode(token.substr(a + 1, b - a - 1)));
}

class RegionManifestTest : public ::testing::Test {
 protected:
  crypto::SecretKey root_ = crypto::SecretKey::Generate();
};
using RegionManifestSigning = RegionManifestTest;

TEST_F(RegionManifestSigning, SignVerifyRoundTrip) {
  auto jws = SignManifest(SgManifest(), root_);
  ASSERT_TRUE(jws.ok()) << jws.status().ToString();
  auto m = VerifyManifest(*jws, root_.Public());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ExpectSameManifest(*m, SgManifest());
}

TEST_F(RegionManifestSigning, IsAStandardEdDsaJwsWithManifestType) {
  auto jws = SignManifest(SgManifest(), root_);
  ASSERT_TRUE(jws.ok());
  auto header = crypto::PeekHeader(*jws);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ((*header)["alg"], "EdDSA");
  EXPECT_EQ((*header)["typ"], "homeport-manifest+jws");
  EXPECT_EQ((*header)["kid"], root_.Public().Thumbprint());
  EXPECT_EQ(PayloadOf(*jws)["region"], "sg");
}

TEST_F(RegionManifestSigning, AcceptsTrailingNewlineFromAFile) {
  auto jws = SignManifest(SgManifest(), root_);
  ASSERT_TRUE(jws.ok());
  EXPECT_TRUE(VerifyManifest(*jws + "\n", root_.Public()).ok());
  EXPECT_TRUE(VerifyManifest(*jws + "\r\n", root_.Public()).ok());
}

TEST_F(RegionManifestSigning, RefusesManifestSignedByAnotherRoot) {
  crypto::SecretKey other = crypto::SecretKey::Generate();
  auto jws = SignManifest(SgManifest(), other);
  ASSERT_TRUE(jws.ok());
  auto m = VerifyManifest(*jws, root_.Public());
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(m.status().IsPermissionDenied()) << m.status().ToString();
}

TEST_F(RegionManifestSigning, RefusesManifestWithTamperedRegion) {
  auto jws = SignManifest(SgManifest(), root_);
  ASSERT_TRUE(jws.ok());
  json payload = PayloadOf(*jws);
  payload["region"] = "cn";
  auto m = VerifyManifest(WithPayload(*jws, payload), root_.Public());
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(m.status().IsPermissionDenied());
}

TEST_F(RegionManifestSigning, RefusesManifestWithTamperedUrlOrVariants) {
  auto jws = SignManifest(SgManifest(), root_);
  ASSERT_TRUE(jws.ok());
  json url = PayloadOf(*jws);
  url["activation_url"] = "http://zzhc.vnet.cn";
  EXPECT_FALSE(VerifyManifest(WithPayload(*jws, url), root_.Public()).ok());
  json variants = PayloadOf(*jws);
  variants["variants"].push_back("china");
  EXPECT_FALSE(VerifyManifest(WithPayload(*jws, variants), root_.Public()).ok());
}

TEST_F(RegionManifestSigning, RefusesOtherDocumentsSignedByTheRoot) {
  json payload = PayloadOf(*SignManifest(SgManifest(), root_));
  // Right key, right payload, but not typed as a manifest: e.g. some other signed statement.
  EXPECT_FALSE(VerifyManifest(crypto::SignCompact(payload.dump(), root_), root_.Public()).ok());
  EXPECT_FALSE(
      VerifyManifest(crypto::SignCompact(payload.dump(), root_, {{"typ", "JWT"}}), root_.Public())
          .ok());
  Result<RegionManifest> odd = Status::Internal("not run");
  EXPECT_NO_THROW(odd = VerifyManifest(crypto::SignCompact(payload.dump(), root_, {{"typ", 1}}),
                                       root_.Public()));
  EXPECT_FALSE(odd.ok());
}

TEST_F(RegionManifestSigning, RefusesSignedManifestWithInvalidFields) {
  const json typ = {{"typ", "homeport-manifest+jws"}};
  json payload = PayloadOf(*SignManifest(SgManifest(), root_));
  auto sign = [&](const json& p) { return crypto::SignCompact(p.dump(), root_, typ); };
  ASSERT_TRUE(VerifyManifest(sign(payload), root_.Public()).ok());

  json version0 = payload;
  version0["version"] = 0;
  json no_region = payload;
  no_region.erase("region");
  json bad_variants = payload;
  bad_variants["variants"] = "global";
  json ftp = payload;
  ftp["uxp_url"] = "ftp://uxp.sg.example.com";
  for (const json& p : {version0, no_region, bad_variants, ftp, json::array(), json("sg")}) {
    Result<RegionManifest> m = Status::Internal("not run");
    EXPECT_NO_THROW(m = VerifyManifest(sign(p), root_.Public())) << p.dump();
    EXPECT_FALSE(m.ok()) << p.dump();
  }
  EXPECT_FALSE(VerifyManifest(crypto::SignCompact("not json", root_, typ), root_.Public()).ok());
}

TEST_F(RegionManifestSigning, RollbackIsSignedOnlyWhenSetAndReadBack) {
  json plain = PayloadOf(*SignManifest(SgManifest(), root_));
  EXPECT_FALSE(plain.contains("rollback"));
  EXPECT_FALSE(VerifyManifest(*SignManifest(SgManifest(), root_), root_.Public())->rollback);

  RegionManifest m = SgManifest();
  m.rollback = true;
  auto jws = SignManifest(m, root_);
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(PayloadOf(*jws)["rollback"], true);
  auto verified = VerifyManifest(*jws, root_.Public());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(verified->rollback);
  // Added to a regular manifest after signing, it breaks the signature.
  json added = plain;
  added["rollback"] = true;
  EXPECT_TRUE(VerifyManifest(WithPayload(*SignManifest(SgManifest(), root_), added),
                             root_.Public())
                  .status()
                  .IsPermissionDenied());
}

TEST_F(RegionManifestSigning, RollbackMustBeExactlyABoolean) {
  const json typ = {{"typ", "homeport-manifest+jws"}};
  json payload = PayloadOf(*SignManifest(SgManifest(), root_));
  for (const json& value : {json("true"), json(1), json(nullptr)}) {
    json p = payload;
    p["rollback"] = value;
    Result<RegionManifest> m = Status::Internal("not run");
    EXPECT_NO_THROW(m = VerifyManifest(crypto::SignCompact(p.dump(), root_, typ), root_.Public()));
    EXPECT_TRUE(m.status().IsCorruption()) << value.dump() << ": " << m.status().ToString();
  }
}

TEST_F(RegionManifestSigning, SignRefusesInvalidManifest) {
  RegionManifest m = SgManifest();
  m.version = 0;
  auto jws = SignManifest(m, root_);
  ASSERT_FALSE(jws.ok());
  EXPECT_TRUE(jws.status().IsInvalidArgument());
}

TEST(RegionManifest, ValidManifestPasses) {
  EXPECT_TRUE(ValidateManifest(SgManifest()).ok());
  RegionManifest plain_http = SgManifest();
  plain_http.activation_url = "http://localhost:8080";
  plain_http.tls_pins.clear();
  EXPECT_TRUE(ValidateManifest(plain_http).ok());
}

TEST(RegionManifest, ValidateRefusesMalformedPinsAndEndpointsGivenInFull) {
  for (const char* pin : {"garbage", "sha256//", "sha256//AAAA",
                          "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                          "sha1//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                          "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*AA="}) {
    RegionManifest m = SgManifest();
    m.tls_pins = {pin};
    Status st = ValidateManifest(m);
    EXPECT_TRUE(st.IsInvalidArgument()) << pin;
    EXPECT_NE(st.message().find("TLS pin"), std::string::npos) << st.message();
  }
  RegionManifest full = SgManifest();
  full.activation_url = "https://activation.sg.example.com/v1/activations";
  EXPECT_NE(ValidateManifest(full).message().find("base URL"), std::string::npos);
  full = SgManifest();
  full.uxp_url = "https://uxp.sg.example.com/submit/homeport-agent";
  EXPECT_NE(ValidateManifest(full).message().find("base URL"), std::string::npos);
}

TEST(RegionManifest, ValidateRefusesBadRegionCode) {
  for (const char* region :
       {"", "s", "SG", "S G", "sg_1", "sg/", "s\xc3\xa9", "abcdefghijklmnopq"}) {
    RegionManifest m = SgManifest();
    m.region = region;
    Status st = ValidateManifest(m);
    EXPECT_TRUE(st.IsInvalidArgument()) << "accepted region \"" << region << "\"";
  }
  RegionManifest m = SgManifest();
  m.region = "SG";
  EXPECT_NE(ValidateManifest(m).message().find("\"SG\""), std::string::npos);
}

TEST(RegionManifest, ValidateRefusesMissingVariants) {
  RegionManifest m = SgManifest();
  m.variants.clear();
  Status st = ValidateManifest(m);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("variant"), std::string::npos) << st.message();
  m.variants = {"global", ""};
  EXPECT_TRUE(ValidateManifest(m).IsInvalidArgument());
}

TEST(RegionManifest, ValidateRefusesNonHttpUrls) {
  for (const char* url : {"", "activation.sg.example.com", "ftp://activation.sg.example.com",
                          "https://", "http://", "file:///etc/passwd", "javascript:alert(1)"}) {
    RegionManifest act = SgManifest();
    act.activation_url = url;
    Status st = ValidateManifest(act);
    EXPECT_TRUE(st.IsInvalidArgument()) << "accepted activation URL \"" << url << "\"";
    RegionManifest uxp = SgManifest();
    uxp.uxp_url = url;
    EXPECT_TRUE(ValidateManifest(uxp).IsInvalidArgument()) << "accepted UX URL \"" << url << "\"";
  }
  RegionManifest m = SgManifest();
  m.uxp_url = "ftp://x";
  EXPECT_NE(ValidateManifest(m).message().find("ftp://x"), std::string::npos);
}

TEST(RegionManifest, ValidateRefusesVersionBelowOne) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, INT64_MIN}) {
    RegionManifest m = SgManifest();
    m.version = v;
    EXPECT_TRUE(ValidateManifest(m).IsInvalidArgument()) << v;
  }
}

TEST(RegionManifest, RegionCodes) {
  for (const char* ok : {"sg", "cn", "eu", "eu-west-1", "us2", "abcdefghijklmnop"}) {
    EXPECT_TRUE(IsValidRegionCode(ok)) << ok;
  }
}

TEST(ManifestForDevice, MatchingRegionAndVariantIsAccepted) {
  EXPECT_TRUE(CheckManifestForDevice(SgManifest(), Device("sg", "global")).ok());
  EXPECT_TRUE(CheckManifestForDevice(SgManifest(), Device("sg", "global-lite")).ok());
}

TEST(ManifestForDevice, RegionMismatchNamesBothRegions) {
  // The Nokia 7 Plus case: a device made for Singapore given the China manifest.
  RegionManifest cn = SgManifest();
  cn.region = "cn";
  cn.variants = {"china"};
  Status st = CheckManifestForDevice(cn, Device("sg", "china"));
  ASSERT_TRUE(st.IsPermissionDenied()) << st.ToString();
  EXPECT_NE(st.message().find("\"cn\""), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("\"sg\""), std::string::npos) << st.message();
}

TEST(ManifestForDevice, RegionMismatchRefusedEvenWhenVariantIsServed) {
  RegionManifest eu = SgManifest();
  eu.region = "eu";
  Status st = CheckManifestForDevice(eu, Device("sg", "global"));
  EXPECT_TRUE(st.IsPermissionDenied());
  EXPECT_NE(st.message().find("\"eu\""), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("\"sg\""), std::string::npos) << st.message();
}

TEST(ManifestForDevice, VariantNotServedIsRefused) {
  Status st = CheckManifestForDevice(SgManifest(), Device("sg", "china"));
  ASSERT_TRUE(st.IsPermissionDenied()) << st.ToString();
  EXPECT_NE(st.message().find("\"china\""), std::string::npos) << st.message();
  // Variant names are exact, not prefixes or case-folded.
  EXPECT_FALSE(CheckManifestForDevice(SgManifest(), Device("sg", "Global")).ok());
  EXPECT_FALSE(CheckManifestForDevice(SgManifest(), Device("sg", "glob")).ok());
}

}  // namespace
}  // namespace homeport
