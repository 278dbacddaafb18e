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
  // The manifest `m`, validly signed, with its protected header written as `header_prefix`
  // followed by the usual members: `{ "alg"…` encodes to "eyAi…", not "eyJ…".
  std::string SignWithHeader(const RegionManifest& m, const std::string& header_prefix) {
    const std::string jws = Sign(m);
    auto header = crypto::PeekHeader(jws);
    EXPECT_TRUE(header.ok());
    const std::string written = header_prefix + header->dump().substr(1);
    const size_t a = jws.find('.'), b = jws.rfind('.');
    const std::string input =
        crypto::Base64UrlEncode(written) + "." + jws.substr(a + 1, b - a - 1);
    return input + "." + crypto::Base64UrlEncode(root_.Sign(input));
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

// Found by parsing the header, not by its Base64 prefix: `{ "alg"` is as valid as `{"alg"`.
TEST_F(ManifestFinderTest, FindsAManifestWhoseHeaderDoesNotStartWithEyJ) {
  for (const std::string prefix : {"{ ", "{\n  ", "\n\n\n\n{", "\xEF\xBB\xBF{"}) {
    const std::string jws = SignWithHeader(Manifest("cn", "http://zzhc.vnet.cn"), prefix);
    ASSERT_FALSE(jws.starts_with("eyJ")) << jws;
    for (const std::string& text : {jws, "manifest=" + jws + ";", "v1." + jws + "\n"}) {
      auto found = FindManifests(text, root_.Public());
      ASSERT_EQ(found.size(), 1u) << text;
      EXPECT_EQ(found[0].manifest.region, "cn");
      EXPECT_EQ(found[0].token, jws);
      EXPECT_EQ(found[0].end, text.find(jws) + jws.size());
    }
  }
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
