// Host extraction from one string: URLs, e-mail domains and names, with the false alarms a
// firmware tree is full of (JWS and Base64 tokens, versions, file names, Java packages).
#include "audit/build/host_extractor.h"

#include <gtest/gtest.h>

#include <set>

#include "crypto/base64.h"
#include "crypto/ed25519.h"
#include "crypto/jws.h"

namespace homeport::audit::build {
namespace {

std::set<std::string> Hosts(std::string_view text) {
  std::set<std::string> out;
  for (const HostSighting& s : ExtractHosts(text, PublicSuffixList::System())) out.insert(s.host);
  return out;
}

using Set = std::set<std::string>;

struct Case {
  const char* text;
  Set hosts;
};

TEST(HostExtractor, FindsHostsWhereTheyAre) {
  const Case cases[] = {
      {"http://zzhc.vnet.cn/register", {"zzhc.vnet.cn"}},
      {"POST http://ZZHC.vnet.cn:80/imei?x=1 HTTP/1.1", {"zzhc.vnet.cn"}},
      {R"({"activation_url": "https://act.sg.example.com/v1/activations"})",
       {"act.sg.example.com"}},
      {R"({"url": "https:\/\/act.sg.example.com\/v1"})", {"act.sg.example.com"}},
      {"mqtts://user:secret@broker.example.net:8883/topic", {"broker.example.net"}},
      {"http://203.0.113.7:8080/x http://[2001:db8::1]/y", {"203.0.113.7", "2001:db8::1"}},
      {"http://localhost:8080/", {"localhost"}},
      {"wss://push.example.org", {"push.example.org"}},
      {"contact support@example.com today", {"example.com"}},
      {"git@github.com:owner/repo.git", {"github.com"}},
      {"server 0.pool.ntp.org iburst", {"0.pool.ntp.org"}},
      {"connect to zzhc.vnet.cn now", {"zzhc.vnet.cn"}},
      {"//cdn.example.net/lib.js", {"cdn.example.net"}},
      {R"({"host": "example.app"})", {"example.app"}},
      {"host: api.example.app", {"api.example.app"}},
      {"server=10.1.2.3", {"10.1.2.3"}},
      {"<hostname>update.example.sh</hostname>", {"update.example.sh"}},
      {"myapp://api.example.com/open", {"api.example.com"}},
      {"visit www.example.ai.", {"www.example.ai"}},
      {R"(allow "*.sg.example.com")", {"sg.example.com"}},
      {"https://${region}.api.example.com/v1 ${region}.uxp.example.com", {"uxp.example.com"}},
      {"Set-Cookie: a=b; domain=.example.com; path=/", {"example.com"}},
  };
  for (const Case& c : cases) EXPECT_EQ(Hosts(c.text), c.hosts) << c.text;
}

TEST(HostExtractor, RaisesNoFalseAlarms) {
  const char* quiet[] = {
      // Versions and numbers.
      "version 1.2.3",
      "v10.0.19041.1",
      "1.0.0-rc.1",
      "build 2026.11.29",
      "ver=4.4.2",
      "1.2.3.4",  // a bare dotted quad without a host key: could as well be a version
      // File names, including extensions that are top-level domains.
      "libfoo.so",
      "libc.so.6",
      "index.html",
      "config.json",
      "setup.py",
      "install.sh",
      "README.md",
      "update.zip",
      "Makefile.in",
      "assets/fonts/Roboto.ttf",
      "src/main.rs",
      "proguard-rules.pro",
      "app.js.map",
      "test_setup.py",
      "res/raw/intro.mov",
      // Java and Kotlin.
      "Lcom/example/app/MainActivity;",
      "com.example.app",
      "com.example.app.MainActivity",
      "android.net",
      "android.app.Activity",
      "androidx.core.app",
      "java.net.URL",
      "kotlin.io",
      "Outer$Inner.class",
      "BuildConfig.app",
      // ELF section names, lists of file extensions, prose without a space.
      ".data.rel.ro",
      ".note.gnu.property",
      ".plt.got",
      "objc.h.m objcxx.hxx.mm",
      "in this mode.You can",
      "matches the suffix .example.com",
      "p.prime",
      "collections.abc",
      "value.cr",
      "LG.HK",
      // Code.
      "window.location.host",
      "document.title",
      "event.target.value",
      "console.log(msg)",
      "obj.info(",
      "user.name = x",
      "this.data[0]",
      // Templates and URLs without a network host.
      "http://%s/activate",
      "https://${HOST}/v1",
      "https://",
      "file:///system/etc/hosts",
      "content://com.example.provider/items",
      "market://details?id=com.example.app",
      "icon@2x.png",
      "@android:style/Theme",
      "@babel/core",
      // Code: a key's value that is an expression, file globs.
      "host = self.host",
      "proxy_host = parsed.host",
      "patterns = ['*.js.in', '*.py']",
      // Address-like noise from random bytes.
      "d@L4.tr",
      "B@r.iO",
      "y@tWD.TO",
      "#2@ul.Bo",
      // Base64 and tokens.
      "aGVsbG8ud29ybGQuZXhhbXBsZS5jb20=",
      "Zm9vLmJhci5jb20vYWJjP3g9eQ==",
      "QUJDREVGRw.aB3xK9zQ.Zm9vYmFy",
      "5f4dcc3b5aa765d61d8327deb882cf99",
      "123e4567-e89b-12d3-a456-426614174000",
  };
  for (const char* text : quiet) EXPECT_EQ(Hosts(text), Set{}) << text;
}

TEST(HostExtractor, JwsTokensAreNotHosts) {
  crypto::SecretKey key = crypto::SecretKey::Generate();
  for (int i = 0; i < 50; ++i) {
    std::string payload = R"({"region":"sg","n":)" + std::to_string(i) + "}";
    std::string jws = crypto::SignCompact(payload, key, {{"typ", "JWT"}});
    EXPECT_EQ(Hosts(jws), Set{}) << jws;
    EXPECT_EQ(Hosts("Authorization: Bearer " + jws), Set{}) << jws;
    EXPECT_EQ(Hosts(crypto::Base64Encode(jws)), Set{}) << jws;
  }
}

TEST(HostExtractor, RandomBase64IsQuiet) {
  // Deterministic pseudo-random bytes, so a failure reproduces.
  uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<char>(state & 0xff);
  };
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(48, '\0');
    for (char& c : bytes) c = next();
    const std::string b64 = crypto::Base64Encode(bytes);
    const std::string b64url = crypto::Base64UrlEncode(bytes);
    EXPECT_EQ(Hosts(b64), Set{}) << b64;
    EXPECT_EQ(Hosts(b64url), Set{}) << b64url;
    // Tokens separated by dots, as JWS and some key formats are.
    EXPECT_EQ(Hosts(b64url.substr(0, 20) + "." + b64url.substr(20, 20) + "." + b64url.substr(40)),
              Set{});
  }
}

TEST(HostExtractor, SaysHowEachHostWasFound) {
  auto found = ExtractHosts("see https://a.example.com/x, mail ops@example.org, or b.example.net",
                            PublicSuffixList::System());
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].host, "a.example.com");
  EXPECT_EQ(found[0].evidence, HostEvidence::kUrl);
  EXPECT_EQ(found[0].text, "https://a.example.com/x");
  EXPECT_EQ(found[1].host, "example.org");
  EXPECT_EQ(found[1].evidence, HostEvidence::kEmail);
  EXPECT_EQ(found[2].host, "b.example.net");
  EXPECT_EQ(found[2].evidence, HostEvidence::kName);
}

TEST(HostExtractor, AUrlIsNotCountedTwice) {
  auto found = ExtractHosts("http://zzhc.vnet.cn/zzhc.vnet.cn", PublicSuffixList::System());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].host, "zzhc.vnet.cn");
}

}  // namespace
}  // namespace homeport::audit::build
