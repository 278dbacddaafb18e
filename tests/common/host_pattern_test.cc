// Host patterns as policies and manifests write them: what each form allows, and the refusal a
// maker gets for something that is not a host.
#include "common/host_pattern.h"

#include <gtest/gtest.h>

namespace homeport {
namespace {

bool Allows(std::string_view pattern, std::string_view host) {
  return HostPatternMatches(NormalizeHostName(pattern), NormalizeHostName(host));
}

TEST(HostPattern, WildcardMatchesNamesBelowOnly) {
  EXPECT_TRUE(Allows("*.sg.example.com", "act.sg.example.com"));
  EXPECT_TRUE(Allows("*.sg.example.com", "A.B.SG.Example.com."));
  EXPECT_FALSE(Allows("*.sg.example.com", "sg.example.com"));
  EXPECT_FALSE(Allows("*.sg.example.com", "evilsg.example.com"));
  EXPECT_FALSE(Allows("*.sg.example.com", "act.sg.example.com.cn"));
  EXPECT_TRUE(Allows("time.example.org", "TIME.example.org."));
  EXPECT_FALSE(Allows("time.example.org", "www.time.example.org"));
  EXPECT_FALSE(Allows("time.example.org", ""));
  EXPECT_TRUE(Allows("*", "zzhc.vnet.cn"));
  EXPECT_FALSE(Allows("*", ""));
}

TEST(HostPattern, AddressesMatchInOneForm) {
  EXPECT_TRUE(Allows("203.0.113.7", "203.0.113.7"));
  EXPECT_FALSE(Allows("203.0.113.7", "203.0.113.70"));
  EXPECT_TRUE(Allows("2001:DB8:0:0::1", "2001:db8::1"));
  EXPECT_TRUE(Allows("[2001:db8::1]", "2001:db8::1"));
  EXPECT_EQ(NormalizeHostName("[2001:DB8::0:1]"), "2001:db8::1");
}

TEST(HostPattern, AcceptsTheFormsOfDocsVerifier) {
  for (const char* ok :
       {"act.sg.example.com", "*.sg.example.com", "Time.Example.org.", "*", "203.0.113.7",
        "2001:db8::1", "[::1]", "_ntp._udp.example.org", "localhost", "xn--bcher-kva.example"}) {
    EXPECT_TRUE(CheckHostPattern(ok).ok()) << ok << ": " << CheckHostPattern(ok).ToString();
  }
}

TEST(HostPattern, RefusalsSayWhatIsWrong) {
  struct Case {
    const char* pattern;
    const char* says;
  } cases[] = {
      {"", "empty"},
      {"https://act.example.com/", "not a URL"},
      {"act.example.com/v1", "not a path"},
      {"act.example.com:443", "port"},
      {"a.*.example.com", "wildcard"},
      {"*.*.example.com", "wildcard"},
      {"*example.com", "wildcard"},
      {"*.", "needs a domain"},
      {"*..", "needs a domain"},
      {"a..example.com", "empty label"},
      {".example.com", "empty label"},
      {"bad host.example.com", "' '"},
      {"-act.example.com", "'-'"},
      {"caf\xc3\xa9.example", "is not in a host name"},
      {"act\n.example.com", "is not in a host name"},
  };
  for (const auto& c : cases) {
    Status st = CheckHostPattern(c.pattern);
    ASSERT_TRUE(st.IsInvalidArgument()) << c.pattern;
    EXPECT_NE(st.message().find(c.says), std::string::npos) << c.pattern << ": " << st.message();
  }
  EXPECT_FALSE(CheckHostPattern(std::string(64, 'a') + ".example.com").ok());
  const std::string label(63, 'a');
  const std::string longest = label + "." + label + "." + label + "." + std::string(61, 'a');
  EXPECT_TRUE(CheckHostPattern(longest).ok());  // 253 characters
  EXPECT_NE(CheckHostPattern(longest + "a").message().find("253"), std::string::npos);
}

}  // namespace
}  // namespace homeport
