#include "audit/policy.h"

#include <gtest/gtest.h>

namespace homeport::audit {
namespace {

AuditPolicy Sg() {
  auto p = AuditPolicy::Parse(R"({"region": "sg", "allow_hosts": ["*.sg.example.com",
      "time.example.org", "203.0.113.7"], "allow_countries": ["sg"], "allow_cleartext": false})");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return *p;
}

TEST(AuditPolicy, WildcardMatchesNamesBelowOnly) {
  auto p = Sg();
  EXPECT_TRUE(p.AllowsHost("act.sg.example.com"));
  EXPECT_TRUE(p.AllowsHost("A.B.SG.Example.com."));
  EXPECT_FALSE(p.AllowsHost("sg.example.com"));
  EXPECT_FALSE(p.AllowsHost("evilsg.example.com"));
  EXPECT_FALSE(p.AllowsHost("act.sg.example.com.cn"));
  EXPECT_TRUE(p.AllowsHost("time.example.org"));
  EXPECT_FALSE(p.AllowsHost("www.time.example.org"));
  EXPECT_TRUE(p.AllowsHost("203.0.113.7"));
  EXPECT_FALSE(p.AllowsHost("zzhc.vnet.cn"));
  EXPECT_FALSE(p.AllowsHost(""));
}

TEST(AuditPolicy, CountriesAreJudgedOnlyWhenListed) {
  auto p = Sg();
  EXPECT_TRUE(p.AllowsCountry("SG"));
  EXPECT_FALSE(p.AllowsCountry("CN"));
  auto open = AuditPolicy::Parse(R"({"region": "sg", "allow_hosts": []})");
  ASSERT_TRUE(open.ok());
  EXPECT_TRUE(open->AllowsCountry("CN"));
  EXPECT_FALSE(open->AllowsHost("anything.example"));
  EXPECT_FALSE(open->allow_cleartext);
  EXPECT_TRUE(open->allow_private);
}

TEST(AuditPolicy, IdentifiersInClearAreViolationsUnlessListed) {
  auto p =
      AuditPolicy::Parse(R"({"region": "sg", "allow_hosts": [], "allow_identifiers": ["email"]})");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->AllowsIdentifierInClear("email"));
  EXPECT_FALSE(p->AllowsIdentifierInClear("imei"));
}

TEST(AuditPolicy, StarAloneAllowsEveryHost) {
  auto p = AuditPolicy::Parse(R"({"region": "sg", "allow_hosts": ["*"]})");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->AllowsHost("zzhc.vnet.cn"));
  EXPECT_TRUE(p->AllowsHost("198.51.100.9"));
  EXPECT_FALSE(p->AllowsHost(""));
  EXPECT_FALSE(AuditPolicy::Parse(R"({"region": "sg", "allow_hosts": ["**"]})").ok());
  EXPECT_FALSE(AuditPolicy::Parse(R"({"region": "sg", "allow_hosts": ["*x"]})").ok());
}

TEST(AuditPolicy, UninspectedIsAViolationUnlessAllowed) {
  auto strict = AuditPolicy::Parse(R"({"region": "sg", "allow_hosts": []})");
  ASSERT_TRUE(strict.ok());
  EXPECT_FALSE(strict->allow_uninspected);
  auto lenient =
      AuditPolicy::Parse(R"({"region": "sg", "allow_hosts": [], "allow_uninspected": true})");
  ASSERT_TRUE(lenient.ok()) << lenient.status().ToString();
  EXPECT_TRUE(lenient->allow_uninspected);
}

TEST(AuditPolicy, ErrorsNameTheField) {
  struct Case {
    const char* json;
    const char* names;
  } cases[] = {
      {"[]", "JSON object"},
      {R"({"allow_hosts": []})", "region"},
      {R"({"region": "sg"})", "allow_hosts"},
      {R"({"region": "sg", "allow_hosts": "x"})", "allow_hosts"},
      {R"({"region": "sg", "allow_hosts": ["a.*.com"]})", "wildcard"},
      {R"({"region": "sg", "allow_hosts": [], "allow_countries": ["SGP"]})", "SGP"},
      {R"({"region": "sg", "allow_hosts": [], "allow_cleartext": "no"})", "allow_cleartext"},
      {R"({"region": "sg", "allow_hosts": [], "allow_host": []})", "allow_host"},
      {R"({"region": "sg", "allow_hosts": [], "allow_identifiers": ["dna"]})", "dna"},
      {R"({"region": "sg", "allow_hosts": [], "allow_uninspected": 1})", "allow_uninspected"},
  };
  for (const auto& c : cases) {
    auto p = AuditPolicy::Parse(c.json);
    ASSERT_FALSE(p.ok()) << c.json;
    EXPECT_TRUE(p.status().IsInvalidArgument());
    EXPECT_NE(p.status().message().find(c.names), std::string::npos)
        << c.json << " -> " << p.status().message();
  }
}

TEST(AuditPolicy, LoadNamesTheFile) {
  auto p = AuditPolicy::Load("/nonexistent/policy.json");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("/nonexistent/policy.json"), std::string::npos);
}

}  // namespace
}  // namespace homeport::audit
