// Region manifests found by content wherever they sit, verified against the root key.
#include "audit/build/manifest_finder.h"

#include <gtest/gtest.h>

#include "crypto/base64.h"
#include "crypto/jws.h"
#include "provisioning/region_manifest.h"

namespace homeport::audit::build {
namespace {

RegionManifest Manifest(const std::string& region, const std::string& url) {
  RegionManifest m;
  m.region = region;
  m.variants = {"global"};
  m.activation_url = url;
  m.uxp_url = url;
  m.version = 1;
  m.issued_at = "2026-11-29T00:00:00Z";
  return m;
}

class ManifestFinderTest : public ::testing::Test {
 protected:
  crypto::SecretKey root_ = crypto::SecretKey::Generate();
  std::string Sign(const RegionManifest& m) {
    auto jws = SignManifest(m, root_);
    EXPECT_TRUE(jws.ok());
    return *jws;
  }
};

TEST_F(ManifestFinderTest, FindsAVerifiedManifestInsideJson) {
  const std::string jws = Sign(Manifest("sg", "https://act.sg.example.com"));
  auto found = FindManifests(R"({"profile": "x", "manifest": ")" + jws + R"("})", root_.Public());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0].verified);
  EXPECT_EQ(found[0].manifest.region, "sg");
  EXPECT_EQ(found[0].manifest.activation_url, "https://act.sg.example.com");
  EXPECT_EQ(found[0].kid, root_.Public().Thumbprint());
  EXPECT_EQ(found[0].token, jws);
}

TEST_F(ManifestFinderTest, ReportsWhatAManifestOfAnotherKeyClaims) {
  crypto::SecretKey other = crypto::SecretKey::Generate();
  auto jws = SignManifest(Manifest("cn", "http://zzhc.vnet.cn"), other);
  ASSERT_TRUE(jws.ok());
  auto found = FindManifests(*jws + "\n", root_.Public());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_FALSE(found[0].verified);
  EXPECT_NE(found[0].problem.find("does not verify"), std::string::npos) << found[0].problem;
  ASSERT_TRUE(found[0].readable);
  EXPECT_EQ(found[0].manifest.region, "cn");
  EXPECT_EQ(found[0].manifest.activation_url, "http://zzhc.vnet.cn");
}

TEST_F(ManifestFinderTest, AnUnsignedForgeryIsFoundAndFails) {
  // "alg": "none" and no signature: crypto::PeekHeader would refuse to look at it.
  const std::string header =
      crypto::Base64UrlEncode(R"({"alg":"none","typ":"homeport-manifest+jws"})");
  const std::string payload = crypto::Base64UrlEncode(
      R"({"region":"cn","variants":["global"],"activation_url":"http://zzhc.vnet.cn",)"
      R"("uxp_url":"http://zzhc.vnet.cn","version":1,"issued_at":"2019-01-01T00:00:00Z"})");
  auto found = FindManifests("m=" + header + "." + payload + ".AAAA", root_.Public());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_FALSE(found[0].verified);
  EXPECT_EQ(found[0].manifest.region, "cn");
}

TEST_F(ManifestFinderTest, ATamperedManifestFails) {
  std::string jws = Sign(Manifest("sg", "https://act.sg.example.com"));
  const size_t dot = jws.find('.');
  std::string claims =
      R"({"region":"cn","variants":["global"],"activation_url":"http://zzhc.vnet.cn",)"
      R"("uxp_url":"http://zzhc.vnet.cn","version":1,"issued_at":"x"})";
  std::string forged =
      jws.substr(0, dot) + "." + crypto::Base64UrlEncode(claims) + jws.substr(jws.rfind('.'));
  auto found = FindManifests(forged, root_.Public());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_FALSE(found[0].verified);
  EXPECT_EQ(found[0].manifest.region, "cn");
}

TEST_F(ManifestFinderTest, OtherJwsAndLookalikesAreIgnored) {
  const std::string jwt = crypto::SignCompact(R"({"sub":"x"})", root_, {{"typ", "JWT"}});
  EXPECT_TRUE(FindManifests(jwt, root_.Public()).empty());
  EXPECT_TRUE(FindManifests("eyJ", root_.Public()).empty());
  EXPECT_TRUE(FindManifests("eyJhbGciOi.", root_.Public()).empty());
  EXPECT_TRUE(FindManifests("xeyJhbGciOiJFZERTQSJ9.e30.AAAA", root_.Public()).empty());
}

TEST_F(ManifestFinderTest, FindsEveryManifestInOneString) {
  const std::string sg = Sign(Manifest("sg", "https://act.sg.example.com"));
  const std::string cn = Sign(Manifest("cn", "http://zzhc.vnet.cn"));
  auto found = FindManifests(sg + "," + cn + ".", root_.Public());
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].manifest.region, "sg");
  EXPECT_EQ(found[1].manifest.region, "cn");
  EXPECT_TRUE(found[1].verified);
}

}  // namespace
}  // namespace homeport::audit::build
