// A verified region manifest as the verifier's policy: what its declaration allows, what a
// manifest without one allows, and that nothing is judged against one that does not verify.
#include "audit/manifest_policy.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audit/build/build_audit.h"
#include "common/testing_temp_dir.h"
#include "crypto/base64.h"
#include "crypto/jws.h"
#include "provisioning/region_manifest.h"

namespace homeport::audit {
namespace {

void Write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

RegionManifest Sg() {
  RegionManifest m;
  m.region = "sg";
  m.variants = {"global"};
  m.activation_url = "https://act.sg.example.com";
  m.uxp_url = "https://uxp.sg.example.com";
  m.version = 3;
  m.issued_at = "2026-12-01T00:00:00Z";
  return m;
}

RegionManifest Declared() {
  RegionManifest m = Sg();
  m.data_flow = DataFlowDeclaration{
      .allow_hosts = {"act.sg.example.com", "uxp.sg.example.com", "time.example.org",
                      "*.updates.example.net"},
      .allow_countries = {"SG", "MY"},
      .allow_identifiers = {"email"},
  };
  return m;
}

TEST(ManifestPolicy, TheDeclarationIsThePolicy) {
  auto p = PolicyFromManifest(Declared());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->region, "sg");
  EXPECT_TRUE(p->AllowsHost("act.sg.example.com"));
  EXPECT_TRUE(p->AllowsHost("UXP.sg.example.com."));
  EXPECT_TRUE(p->AllowsHost("time.example.org"));
  EXPECT_TRUE(p->AllowsHost("cdn.updates.example.net"));
  EXPECT_FALSE(p->AllowsHost("updates.example.net"));
  EXPECT_FALSE(p->AllowsHost("push.example.com"));
  EXPECT_TRUE(p->judge_countries);
  EXPECT_TRUE(p->AllowsCountry("MY"));
  EXPECT_FALSE(p->AllowsCountry("CN"));
  EXPECT_FALSE(p->allow_cleartext);
  EXPECT_TRUE(p->allow_private);
  EXPECT_TRUE(p->AllowsIdentifierInClear("email"));
  EXPECT_FALSE(p->AllowsIdentifierInClear("imei"));
}

TEST(ManifestPolicy, WithoutADeclarationOnlyTheEndpointsAsWritten) {
  auto p = PolicyFromManifest(Sg());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->allow_hosts, (std::vector<std::string>{"act.sg.example.com", "uxp.sg.example.com"}));
  EXPECT_FALSE(p->judge_countries);
  EXPECT_TRUE(p->AllowsCountry("CN"));  // not declared: reported, not judged
  EXPECT_FALSE(p->allow_cleartext);
  EXPECT_TRUE(p->allow_identifiers.empty());

  RegionManifest plain = Sg();
  plain.activation_url = "http://act.sg.example.com:8080";
  auto pp = PolicyFromManifest(plain);
  ASSERT_TRUE(pp.ok());
  EXPECT_TRUE(pp->allow_cleartext);  // what its devices always did
}

TEST(ManifestPolicy, AnIdentifierKindTheDetectorsDoNotKnowIsRefused) {
  RegionManifest m = Declared();
  m.data_flow->allow_identifiers = {"retina_scan"};
  auto p = PolicyFromManifest(m);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("retina_scan"), std::string::npos);
}

class LoadManifestPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::WriteKeyPair(Env::Default(), dir_.File("root.jwk"), root_).ok());
    auto jws = SignManifest(Declared(), root_);
    ASSERT_TRUE(jws.ok());
    token_ = *jws;
    Write(manifest_, token_ + "\n");
  }
  testing::TempDir dir_;
  crypto::SecretKey root_ = crypto::SecretKey::Generate();
  std::string token_;
  std::string manifest_ = dir_.File("manifest-sg.jws");
  std::string pub_ = dir_.File("root.jwk.pub");
};

TEST_F(LoadManifestPolicyTest, NamesTheManifestItsVersionAndKeyInTheOrigin) {
  auto loaded = LoadManifestPolicy(manifest_, pub_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const std::string kid = root_.Public().Thumbprint();
  EXPECT_EQ(loaded->key_id, kid);
  EXPECT_EQ(loaded->manifest.version, 3);
  const std::string& origin = loaded->policy.origin;
  EXPECT_EQ(origin.rfind(
                "manifest " + manifest_ + " (sha256 " + crypto::Sha256Hex(token_ + "\n") + ")", 0),
            0u)
      << origin;
  EXPECT_NE(origin.find("region sg, version 3, key id " + kid), std::string::npos) << origin;
  EXPECT_TRUE(loaded->policy.AllowsHost("time.example.org"));
}

TEST_F(LoadManifestPolicyTest, NothingIsJudgedAgainstAManifestThatDoesNotVerify) {
  // Another host slipped into the declaration after signing.
  const size_t a = token_.find('.'), b = token_.rfind('.');
  auto payload = nlohmann::json::parse(*crypto::Base64UrlDecode(token_.substr(a + 1, b - a - 1)));
  payload["data_flow"]["allow_hosts"].push_back("zzhc.vnet.cn");
  Write(manifest_,
        token_.substr(0, a + 1) + crypto::Base64UrlEncode(payload.dump()) + token_.substr(b));
  auto loaded = LoadManifestPolicy(manifest_, pub_);
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(loaded.status().IsPermissionDenied()) << loaded.status().ToString();
  EXPECT_NE(loaded.status().message().find(manifest_), std::string::npos);
  EXPECT_NE(loaded.status().message().find("does not verify"), std::string::npos);

  // Another maker's key.
  crypto::SecretKey other = crypto::SecretKey::Generate();
  ASSERT_TRUE(crypto::WriteKeyPair(Env::Default(), dir_.File("other.jwk"), other).ok());
  Write(manifest_, token_);
  EXPECT_TRUE(
      LoadManifestPolicy(manifest_, dir_.File("other.jwk.pub")).status().IsPermissionDenied());

  // Not there, not a manifest, far too big.
  EXPECT_TRUE(LoadManifestPolicy(dir_.File("missing.jws"), pub_).status().IsNotFound());
  Write(manifest_, "{\"region\": \"sg\"}");
  EXPECT_FALSE(LoadManifestPolicy(manifest_, pub_).ok());
  Write(manifest_, std::string((size_t{1} << 20) + 1, 'e'));
  auto big = LoadManifestPolicy(manifest_, pub_);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("1 MiB"), std::string::npos);
  EXPECT_FALSE(LoadManifestPolicy(manifest_, dir_.File("no-key.pub")).ok());
}

TEST(PolicyFromManifests, TheTreesManifestsDeclareTheirOtherHostsToo) {
  testing::TempDir dir;
  crypto::SecretKey root = crypto::SecretKey::Generate();
  Write(dir.File("manifest.jws"), *SignManifest(Declared(), root));
  Write(dir.File("conf.txt"),
        "ntp=time.example.org\nupdates=https://cdn.updates.example.net/x\n"
        "push=https://push.example.com/\n");
  auto findings = build::ScanBuildTree(dir.path(), root.Public());
  ASSERT_TRUE(findings.ok());
  AuditPolicy p = build::PolicyFromManifests(*findings, "sg");
  EXPECT_TRUE(p.AllowsHost("time.example.org"));
  EXPECT_TRUE(p.AllowsHost("cdn.updates.example.net"));
  build::BuildVerdict v = build::Judge(*findings, p);
  EXPECT_EQ(v.HostViolations(), 1u);  // push.example.com only
  EXPECT_EQ(v.hosts.front().findings->host, "push.example.com");
}

}  // namespace
}  // namespace homeport::audit
