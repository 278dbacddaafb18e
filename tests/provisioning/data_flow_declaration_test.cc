// The region manifest as the signed declaration of a device's whole data flow: the declaration
// travels in the signed payload, manifests without one keep their old meaning, and a
// declaration that contradicts the manifest's own endpoints makes the manifest invalid.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "crypto/base64.h"
#include "crypto/jws.h"
#include "provisioning/region_manifest.h"

namespace homeport {
namespace {

using nlohmann::json;

RegionManifest Declared() {
  RegionManifest m;
  m.region = "sg";
  m.variants = {"global"};
  m.activation_url = "https://act.sg.example.com";
  m.uxp_url = "https://uxp.sg.example.com";
  m.version = 3;
  m.issued_at = "2026-12-01T00:00:00Z";
  m.data_flow = DataFlowDeclaration{
      .allow_hosts = {"*.sg.example.com", "time.example.org"},
      .allow_countries = {"SG"},
      .allow_identifiers = {},
      .allow_cleartext = false,
  };
  return m;
}

json PayloadOf(const std::string& token) {
  size_t a = token.find('.'), b = token.rfind('.');
  return json::parse(*crypto::Base64UrlDecode(token.substr(a + 1, b - a - 1)));
}

std::string SignPayload(const json& payload, const crypto::SecretKey& key) {
  return crypto::SignCompact(payload.dump(), key, {{"typ", "homeport-manifest+jws"}});
}

class DataFlowDeclarationTest : public ::testing::Test {
 protected:
  crypto::SecretKey root_ = crypto::SecretKey::Generate();
};

TEST_F(DataFlowDeclarationTest, TravelsInTheSignedPayloadUnderClearNames) {
  auto jws = SignManifest(Declared(), root_);
  ASSERT_TRUE(jws.ok()) << jws.status().ToString();
  const json payload = PayloadOf(*jws);
  ASSERT_TRUE(payload.contains("data_flow")) << payload.dump();
  EXPECT_EQ(payload["data_flow"],
            json::parse(R"({"allow_hosts": ["*.sg.example.com", "time.example.org"],
                            "allow_countries": ["SG"], "allow_identifiers": [],
                            "allow_cleartext": false})"));

  auto m = VerifyManifest(*jws, root_.Public());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(m->data_flow.has_value());
  EXPECT_EQ(m->data_flow->allow_hosts,
            (std::vector<std::string>{"*.sg.example.com", "time.example.org"}));
  EXPECT_EQ(m->data_flow->allow_countries, std::vector<std::string>{"SG"});
  EXPECT_TRUE(m->data_flow->allow_identifiers.empty());
  EXPECT_FALSE(m->data_flow->allow_cleartext);
}

TEST_F(DataFlowDeclarationTest, ChangingTheDeclarationBreaksTheSignature) {
  auto jws = SignManifest(Declared(), root_);
  ASSERT_TRUE(jws.ok());
  json payload = PayloadOf(*jws);
  payload["data_flow"]["allow_hosts"].push_back("zzhc.vnet.cn");
  const size_t a = jws->find('.'), b = jws->rfind('.');
  const std::string forged =
      jws->substr(0, a + 1) + crypto::Base64UrlEncode(payload.dump()) + jws->substr(b);
  auto m = VerifyManifest(forged, root_.Public());
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(m.status().IsPermissionDenied()) << m.status().ToString();
}

TEST_F(DataFlowDeclarationTest, ManifestsWithoutOneKeepTheirMeaning) {
  RegionManifest old = Declared();
  old.data_flow.reset();
  auto jws = SignManifest(old, root_);
  ASSERT_TRUE(jws.ok());
  EXPECT_FALSE(PayloadOf(*jws).contains("data_flow"));  // the payload of before
  auto m = VerifyManifest(*jws, root_.Public());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_FALSE(m->data_flow.has_value());

  // What such a manifest allows: its two endpoints as written, nothing else.
  DataFlowDeclaration d = EffectiveDataFlow(*m);
  EXPECT_EQ(d.allow_hosts, (std::vector<std::string>{"act.sg.example.com", "uxp.sg.example.com"}));
  EXPECT_TRUE(d.allow_countries.empty());
  EXPECT_TRUE(d.allow_identifiers.empty());
  EXPECT_FALSE(d.allow_cleartext);

  // A manifest of before with a plain-HTTP endpoint still verifies, and its devices may still
  // reach that endpoint as written.
  json legacy = PayloadOf(*jws);
  legacy["activation_url"] = "http://127.0.0.1:8080";
  auto plain = VerifyManifest(SignPayload(legacy, root_), root_.Public());
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  DataFlowDeclaration p = EffectiveDataFlow(*plain);
  EXPECT_TRUE(p.allow_cleartext);
  EXPECT_EQ(p.allow_hosts, (std::vector<std::string>{"127.0.0.1", "uxp.sg.example.com"}));
}

TEST_F(DataFlowDeclarationTest, EffectiveHostsOfADeclarationAreItsOwn) {
  DataFlowDeclaration d = EffectiveDataFlow(Declared());
  // *.sg.example.com covers both endpoints: nothing is added.
  EXPECT_EQ(d.allow_hosts, (std::vector<std::string>{"*.sg.example.com", "time.example.org"}));
  EXPECT_EQ(d.allow_countries, std::vector<std::string>{"SG"});
}

TEST_F(DataFlowDeclarationTest, EndpointOutsideTheDeclaredHostsIsRefused) {
  RegionManifest m = Declared();
  m.data_flow->allow_hosts = {"time.example.org"};
  Status st = ValidateManifest(m);
  ASSERT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_NE(st.message().find("\"act.sg.example.com\""), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("allow_hosts"), std::string::npos) << st.message();
  EXPECT_FALSE(SignManifest(m, root_).ok());

  // Signed anyway (by hand, past SignManifest's check): it does not verify as a manifest.
  json payload = PayloadOf(*SignManifest(Declared(), root_));
  payload["data_flow"]["allow_hosts"] = {"time.example.org"};
  auto verified = VerifyManifest(SignPayload(payload, root_), root_.Public());
  ASSERT_FALSE(verified.ok());
  EXPECT_NE(verified.status().message().find("act.sg.example.com"), std::string::npos);

  // Only the UX-program endpoint outside.
  m = Declared();
  m.uxp_url = "https://uxp.example.net";
  st = ValidateManifest(m);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("UX-program endpoint"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("\"uxp.example.net\""), std::string::npos) << st.message();
}

TEST_F(DataFlowDeclarationTest, CleartextEndpointNeedsDeclaredCleartext) {
  RegionManifest m = Declared();
  m.activation_url = "http://act.sg.example.com";
  Status st = ValidateManifest(m);
  ASSERT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("http://act.sg.example.com"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("allow_cleartext"), std::string::npos) << st.message();
  m.data_flow->allow_cleartext = true;
  EXPECT_TRUE(ValidateManifest(m).ok());
}

TEST_F(DataFlowDeclarationTest, MalformedEntriesAreRefusedByName) {
  struct Case {
    void (*edit)(DataFlowDeclaration&);
    const char* names;
  } cases[] = {
      {[](DataFlowDeclaration& d) { d.allow_hosts.push_back("*"); }, "\"*\""},
      {[](DataFlowDeclaration& d) { d.allow_hosts.push_back("https://time.example.org/"); },
       "not a URL"},
      {[](DataFlowDeclaration& d) { d.allow_hosts.push_back("time.example.org:123"); }, "port"},
      {[](DataFlowDeclaration& d) { d.allow_hosts.push_back("a.*.example.org"); }, "wildcard"},
      {[](DataFlowDeclaration& d) { d.allow_hosts.push_back("bad host"); }, "bad host"},
      {[](DataFlowDeclaration& d) { d.allow_countries.push_back("SGP"); }, "SGP"},
      {[](DataFlowDeclaration& d) { d.allow_countries.push_back("sg"); }, "\"sg\""},
      {[](DataFlowDeclaration& d) { d.allow_identifiers.push_back("IMEI"); }, "IMEI"},
      {[](DataFlowDeclaration& d) { d.allow_identifiers.push_back(""); }, "identifier"},
      {[](DataFlowDeclaration& d) { d.allow_hosts.assign(kMaxDeclared + 1, "time.example.org"); },
       "at most"},
  };
  for (const auto& c : cases) {
    RegionManifest m = Declared();
    c.edit(*m.data_flow);
    Status st = ValidateManifest(m);
    ASSERT_TRUE(st.IsInvalidArgument()) << c.names;
    EXPECT_NE(st.message().find(c.names), std::string::npos) << st.message();
  }
}

TEST_F(DataFlowDeclarationTest, HostileDeclarationsInSignedPayloadsAreRefusedWithoutThrowing) {
  const json good = PayloadOf(*SignManifest(Declared(), root_));
  std::vector<json> bad;
  for (const char* field : {"allow_hosts", "allow_countries", "allow_identifiers"}) {
    json p = good;
    p["data_flow"][field] = "x";
    bad.push_back(p);
    p["data_flow"][field] = json::array({1});
    bad.push_back(p);
  }
  json p = good;
  p["data_flow"]["allow_cleartext"] = "yes";
  bad.push_back(p);
  p = good;
  p["data_flow"]["allow_host"] = json::array();  // misspelt: refused, not skipped
  bad.push_back(p);
  p = good;
  p["data_flow"]["allow_countries"] = json::array();
  bad.push_back(p);
  for (const json& v : {json(nullptr), json::array(), json("all")}) {
    p = good;
    p["data_flow"] = v;
    bad.push_back(p);
  }
  for (const json& payload : bad) {
    Result<RegionManifest> m = Status::Internal("not run");
    EXPECT_NO_THROW(m = VerifyManifest(SignPayload(payload, root_), root_.Public()))
        << payload.dump();
    EXPECT_FALSE(m.ok()) << payload.dump();
  }
  // Missing members take their defaults: no other host, no identifier, no cleartext.
  p = good;
  p["data_flow"] = {{"allow_hosts", {"*.sg.example.com"}}};
  auto m = VerifyManifest(SignPayload(p, root_), root_.Public());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->data_flow->allow_countries.empty());
  EXPECT_FALSE(m->data_flow->allow_cleartext);
}

TEST(EndpointHost, IsTheHostACurlRequestReaches) {
  EXPECT_EQ(*EndpointHost("https://Act.SG.example.com"), "act.sg.example.com");
  EXPECT_EQ(*EndpointHost("http://act.sg.example.com:8080/base/"), "act.sg.example.com");
  EXPECT_EQ(*EndpointHost("https://act.sg.example.com?x=1"), "act.sg.example.com");
  EXPECT_EQ(*EndpointHost("https://user:pw@act.sg.example.com/"), "act.sg.example.com");
  EXPECT_EQ(*EndpointHost("https://act.sg.example.com@zzhc.vnet.cn/"), "zzhc.vnet.cn");
  EXPECT_EQ(*EndpointHost("http://127.0.0.1:9"), "127.0.0.1");
  EXPECT_EQ(*EndpointHost("https://[2001:DB8:0::1]:443/"), "2001:db8::1");
  for (const char* bad : {"ftp://x", "https://", "https://:80", "https://a b/", "https://x:http/",
                          "https://x:99999", "https://[::1", "https://*.example.com/"}) {
    EXPECT_FALSE(EndpointHost(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace homeport
