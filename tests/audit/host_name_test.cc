// The host-name rule (audit/build/host_name.h) as a table: what a firmware file may contain
// that is a host, and what only looks like one.
#include "audit/build/host_name.h"

#include <gtest/gtest.h>

#include "common/host_pattern.h"

namespace homeport::audit::build {
namespace {

struct Case {
  const char* name;
  bool evidence;
  NameVerdict expected;
};

TEST(HostNameRule, TellsHostsFromLookalikes) {
  const Case cases[] = {
      // Hosts.
      {"zzhc.vnet.cn", false, NameVerdict::kHost},
      {"act.sg.example.com", false, NameVerdict::kHost},
      {"pool.ntp.org", false, NameVerdict::kHost},
      {"example.com", false, NameVerdict::kHost},
      {"EXAMPLE.COM", false, NameVerdict::kHost},
      {"example.com.", false, NameVerdict::kHost},
      {"api.example.co.uk", false, NameVerdict::kHost},
      {"mail.163.com", false, NameVerdict::kHost},
      {"163.com", false, NameVerdict::kHost},
      {"android.googleapis.com", false, NameVerdict::kHost},
      {"myproject.web.app", false, NameVerdict::kHost},
      {"www.example.sh", false, NameVerdict::kHost},
      {"sg.example.com", false, NameVerdict::kHost},
      {"de.wikipedia.org", false, NameVerdict::kHost},
      {"shop.xn--mnchen-3ya.de", false, NameVerdict::kHost},
      {"kitware.com", false, NameVerdict::kHost},
      {"api.example.cloud", false, NameVerdict::kHost},
      // Rule 7: newer generic top-level domains need evidence, two labels a generic one.
      {"p.prime", false, NameVerdict::kUncommonTopLevel},
      {"collections.abc", false, NameVerdict::kUncommonTopLevel},
      {"plt.got", false, NameVerdict::kUncommonTopLevel},
      {"note.gnu.property", false, NameVerdict::kUncommonTopLevel},
      {"value.cr", false, NameVerdict::kTwoLabels},
      {"LG.HK", false, NameVerdict::kTwoLabels},
      {"vnet.cn", false, NameVerdict::kTwoLabels},
      // Rule 8: short labels only.
      {"i.z.ir", false, NameVerdict::kShortLabels},
      {"ab.pq.rs", false, NameVerdict::kShortLabels},
      {"api.x.com", false, NameVerdict::kShortLabels},
      {"api.qq.com", false, NameVerdict::kHost},
      {"qq.com", false, NameVerdict::kHost},
      {"api.mi.cn", false, NameVerdict::kHost},
      {"p.prime", true, NameVerdict::kHost},
      {"vnet.cn", true, NameVerdict::kHost},
      // Not host-name syntax.
      {"localhost", false, NameVerdict::kNotHostSyntax},
      {"1.2.3", false, NameVerdict::kNotHostSyntax},
      {"10.0.0.1", false, NameVerdict::kNotHostSyntax},
      {"-bad.example.com", false, NameVerdict::kNotHostSyntax},
      {"a..b.com", false, NameVerdict::kNotHostSyntax},
      {"this_is.example.com", false, NameVerdict::kNotHostSyntax},
      {"eyJhbGciOiJFZERTQSIsInR5cCI6ImhvbWVwb3J0LW1hbmlmZXN0K2p3cyJ9xxxxxxxxxxxxxxxxxxxxxxxxxx.com",
       false, NameVerdict::kNotHostSyntax},
      // No public suffix: file names and made-up endings.
      {"index.html", false, NameVerdict::kNoPublicSuffix},
      {"config.json", false, NameVerdict::kNoPublicSuffix},
      {"app.js", false, NameVerdict::kNoPublicSuffix},
      {"libfoo.so.1", false, NameVerdict::kNotHostSyntax},
      {"classes.dex", false, NameVerdict::kNoPublicSuffix},
      {"1.2.3-beta", false, NameVerdict::kNoPublicSuffix},
      {"v1.2.3", false, NameVerdict::kNotHostSyntax},
      {"com.example.app.MainActivity", false, NameVerdict::kNoPublicSuffix},
      {"config.jsonx", false, NameVerdict::kNoPublicSuffix},
      {"co.uk", false, NameVerdict::kNoPublicSuffix},
      {"objc.h.m", false, NameVerdict::kNoPublicSuffix},
      // Versions.
      {"1.2.zip", false, NameVerdict::kVersionLike},
      {"2.0.1.app", true, NameVerdict::kVersionLike},
      // camelCase: code and random Base64.
      {"BuildConfig.app", false, NameVerdict::kCodeCase},
      {"getHost.example.com", false, NameVerdict::kCodeCase},
      {"aB9xQz.de", false, NameVerdict::kCodeCase},
      {"mode.You", false, NameVerdict::kCodeCase},
      {"README.md", false, NameVerdict::kCodeCase},
      {"Makefile.in", false, NameVerdict::kCodeCase},
      {"Main.java", false, NameVerdict::kCodeCase},
      // Reversed domains: Java and Android packages.
      {"com.example.app", false, NameVerdict::kReversedDomain},
      {"com.example.foo", false, NameVerdict::kReversedDomain},
      {"org.example.sg", false, NameVerdict::kReversedDomain},
      {"io.grpc.internal.cn", false, NameVerdict::kReversedDomain},
      {"builtins.int", false, NameVerdict::kUncommonTopLevel},
      {"android.net", false, NameVerdict::kReversedDomain},
      {"android.app", false, NameVerdict::kAmbiguousSuffix},
      {"android.content.pm", false, NameVerdict::kReversedDomain},
      {"androidx.core.app", false, NameVerdict::kReversedDomain},
      // File extensions that are top-level domains.
      {"setup.py", false, NameVerdict::kAmbiguousSuffix},
      {"install.sh", false, NameVerdict::kAmbiguousSuffix},
      {"readme.md", false, NameVerdict::kAmbiguousSuffix},
      {"update.zip", false, NameVerdict::kAmbiguousSuffix},
      {"makefile.in", false, NameVerdict::kAmbiguousSuffix},
      {"libc.so", false, NameVerdict::kAmbiguousSuffix},
      {"android.mk", false, NameVerdict::kAmbiguousSuffix},
      {"objcxx.hxx.mm", false, NameVerdict::kAmbiguousSuffix},
      {"proguard-rules.pro", false, NameVerdict::kAmbiguousSuffix},
      {"gradle-wrapper.properties", false, NameVerdict::kAmbiguousSuffix},
      {"main.java", false, NameVerdict::kAmbiguousSuffix},
      {"app.js.map", false, NameVerdict::kAmbiguousSuffix},
      {"bundle.min.sh", false, NameVerdict::kAmbiguousSuffix},
      // Words of code that are top-level domains.
      {"window.location.host", false, NameVerdict::kAmbiguousSuffix},
      {"user.name", false, NameVerdict::kAmbiguousSuffix},
      {"event.target", false, NameVerdict::kAmbiguousSuffix},
      {"item.id", false, NameVerdict::kAmbiguousSuffix},
      {"rect.top", false, NameVerdict::kAmbiguousSuffix},
      {"this.style", false, NameVerdict::kAmbiguousSuffix},
      // Evidence (an address, "//", a host key, "www.") settles the ambiguous ones.
      {"example.app", true, NameVerdict::kHost},
      {"user.name", true, NameVerdict::kHost},
      {"com.example.app", true, NameVerdict::kHost},
      {"www.example.app", false, NameVerdict::kHost},
      {"index.html", true, NameVerdict::kNoPublicSuffix},
  };
  const PublicSuffixList& psl = PublicSuffixList::System();
  for (const Case& c : cases) {
    EXPECT_EQ(ClassifyName(c.name, c.evidence, psl), c.expected)
        << c.name << (c.evidence ? " (with evidence)" : "");
  }
}

TEST(HostNameRule, HostKeysAreRecognisedBeforeTheValue) {
  const char* quoted[] = {
      R"({"host": ")", "api_server = '", "<hostname>",    R"("uxp_endpoint" : ")",
      "'origin' => '", "this.host = '",  R"(BASE_URL=")",
  };
  for (const char* before : quoted) EXPECT_EQ(HostKeyBefore(before), HostKey::kQuoted) << before;
  const char* unquoted[] = {
      "server=", "activationHost:", "BASE_URL=", "server ", "proxy := ", "  server ", "--server ",
      "host = ",  // host = self.host: an expression, not a literal
  };
  for (const char* before : unquoted) {
    EXPECT_EQ(HostKeyBefore(before), HostKey::kUnquoted) << before;
  }
  const char* not_keyed[] = {
      "",
      "version=",
      R"({"name": ")",
      "import ",
      "hostx",
      "server",
      "<file>",
      "at ",
      "ghost.",
      "path = ",
      "window.location.host ",
      "x.server ",
  };
  for (const char* before : not_keyed) EXPECT_EQ(HostKeyBefore(before), HostKey::kNone) << before;
}

TEST(HostNameRule, NormalizesCaseAndTrailingDot) {
  EXPECT_EQ(NormalizeHostName("ZZHC.Vnet.CN."), "zzhc.vnet.cn");
  EXPECT_TRUE(IsHostnameSyntax("localhost"));
  EXPECT_TRUE(IsHostnameSyntax("act.sg.example.com"));
  EXPECT_FALSE(IsHostnameSyntax("%s"));
  EXPECT_FALSE(IsHostnameSyntax("${HOST}"));
  EXPECT_FALSE(IsHostnameSyntax(""));
}

}  // namespace
}  // namespace homeport::audit::build
