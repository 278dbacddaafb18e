// The maker's flow end to end through the real binary, one signed document from the factory to
// the regulator: `keys new`, `manifest sign` with the device's whole data flow declared,
// `manifest verify` showing the declaration, then `audit build` of a firmware tree and `audit
// capture` of a test device's traffic judged against that manifest (--manifest) instead of a
// hand-written policy. Whatever the manifest does not declare is a violation (exit 1); a
// manifest that does not verify judges nothing (exit 2).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../audit/capture_scenes.h"
#include "e2e_support.h"

namespace homeport::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

void Write(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// TLS to `name` at `address` from the test device, after a DNS lookup at the local resolver.
void WriteTlsSession(testing::CaptureWriter& w, uint16_t port, const std::string& name,
                     const std::string& address) {
  w.Udp(testing::kDevice, port, testing::kResolver, 53, testing::DnsQuery(port, name));
  w.Udp(testing::kResolver, 53, testing::kDevice, port,
        testing::DnsResponse(port, name, {}, address));
  testing::TcpConversation c(w, testing::kDevice, static_cast<uint16_t>(port + 1), address, 443);
  c.Open();
  c.Send(testing::TlsClientHello(name, 600));
  c.Reply(std::string("\x16\x03\x03\x00\x04\x02\x00\x00\x00", 9));
  c.Send(std::string("\x17\x03\x03\x00\x05hello", 10));
  c.Close();
}

class ManifestDeclaration : public ::testing::Test {
 protected:
  void SetUp() override {
    CommandResult keys = Homeport({"keys", "new", "--out", root_key_});
    ASSERT_EQ(keys.exit_code, 0) << keys.err;
  }

  // `manifest sign` for sg with the declaration the flow below keeps to, plus `extra`.
  CommandResult Sign(const std::string& out, std::vector<std::string> extra = {},
                     const std::string& uxp_url = "https://uxp.sg.example.com") {
    std::vector<std::string> args = {"manifest", "sign", "--root-key", root_key_,
                                     "--out",    out,    "--uxp-url",  uxp_url};
    for (const char* flag_and_value :
         {"--region=sg", "--variant=global", "--activation-url=https://act.sg.example.com",
          "--version=3", "--allow-host=time.example.org", "--allow-host=*.updates.example.net",
          "--data-country=sg"}) {
      args.push_back(flag_and_value);
    }
    args.insert(args.end(), extra.begin(), extra.end());
    return Homeport(args);
  }

  // A small firmware tree carrying `manifest`, whose configuration names `hosts`.
  std::string Tree(const std::string& name, const std::string& manifest,
                   const std::vector<std::string>& hosts) {
    const std::string tree = dir_.File(name);
    fs::create_directories(tree + "/system/etc/homeport");
    fs::copy_file(manifest, tree + "/system/etc/homeport/manifest.jws");
    std::string config = "# endpoints of the firmware\n";
    for (const auto& h : hosts) config += "url = https://" + h + "/v1\n";
    Write(tree + "/system/etc/firmware.conf", config);
    return tree;
  }

  std::string Capture(const std::string& name,
                      const std::vector<std::pair<std::string, std::string>>& sessions) {
    testing::CaptureWriter w;
    uint16_t port = 41000;
    for (const auto& [host, address] : sessions) {
      WriteTlsSession(w, port, host, address);
      port = static_cast<uint16_t>(port + 2);
    }
    const std::string path = dir_.File(name);
    testing::CaptureWriter::Write(path, w.Pcap());
    return path;
  }

  testing::TempDir dir_;
  std::string root_key_ = dir_.File("root.jwk");
  std::string root_pub_ = dir_.File("root.jwk.pub");
};

TEST_F(ManifestDeclaration, FromSigningToBothAuditsOneSignedDocument) {
  // Sign: the declaration is printed back, the endpoints' hosts added to the declared ones.
  const std::string manifest = dir_.File("sg-v3.jws");
  CommandResult sign = Sign(manifest);
  ASSERT_EQ(sign.exit_code, 0) << sign.err;
  EXPECT_THAT(sign.out, HasSubstr("declared: hosts time.example.org, *.updates.example.net, "
                                  "act.sg.example.com, uxp.sg.example.com; countries SG; "
                                  "identifiers none; cleartext not allowed"));

  // Verify: the declaration as signed.
  CommandResult verify = Homeport({"manifest", "verify", "--root-pub", root_pub_, manifest});
  ASSERT_EQ(verify.exit_code, 0) << verify.err;
  auto v = nlohmann::json::parse(verify.out);
  EXPECT_EQ(v["valid"], true);
  EXPECT_EQ(v["data_flow"]["allow_hosts"],
            nlohmann::json({"time.example.org", "*.updates.example.net", "act.sg.example.com",
                            "uxp.sg.example.com"}));
  EXPECT_EQ(v["data_flow"]["allow_countries"], nlohmann::json({"SG"}));
  EXPECT_EQ(v["data_flow"]["allow_identifiers"], nlohmann::json::array());
  EXPECT_EQ(v["data_flow"]["allow_cleartext"], false);

  // audit build: a tree reaching only declared hosts is clean...
  const std::string clean_tree = Tree(
      "clean", manifest,
      {"act.sg.example.com", "uxp.sg.example.com", "time.example.org", "cdn.updates.example.net"});
  CommandResult build = Homeport(
      {"audit", "build", clean_tree, "--manifest", manifest, "--root-pub", root_pub_, "--json"});
  EXPECT_EQ(build.exit_code, 0) << build.err << build.out;
  EXPECT_THAT(build.out, HasSubstr("cdn.updates.example.net"));

  // ...and one more host, undeclared, is a violation that names it.
  const std::string leaky_tree = Tree(
      "leaky", manifest, {"act.sg.example.com", "time.example.org", "push.undeclared.example.com"});
  CommandResult leaky =
      Homeport({"audit", "build", leaky_tree, "--manifest", manifest, "--root-pub", root_pub_});
  EXPECT_EQ(leaky.exit_code, 1) << leaky.err << leaky.out;
  EXPECT_THAT(leaky.out, HasSubstr("push.undeclared.example.com"));

  // audit capture: the test device reaching its endpoints and its time server in Singapore...
  const std::string clean_capture =
      Capture("clean.pcap",
              {{"act.sg.example.com", testing::kSingTel}, {"time.example.org", testing::kSingTel}});
  CommandResult capture = Homeport(
      {"audit", "capture", clean_capture, "--manifest", manifest, "--root-pub", root_pub_});
  EXPECT_EQ(capture.exit_code, 0) << capture.err << capture.out;
  EXPECT_THAT(capture.out, HasSubstr("time.example.org"));

  // ...then a host the manifest does not declare.
  const std::string leaky_capture =
      Capture("leaky.pcap", {{"act.sg.example.com", testing::kSingTel},
                             {"push.undeclared.example.com", testing::kSingTel}});
  CommandResult undeclared = Homeport({"audit", "capture", leaky_capture, "--manifest", manifest,
                                       "--root-pub", root_pub_, "--json"});
  EXPECT_EQ(undeclared.exit_code, 1) << undeclared.err << undeclared.out;
  EXPECT_THAT(undeclared.out, HasSubstr("push.undeclared.example.com"));
  EXPECT_THAT(undeclared.out, HasSubstr("not an allowed host"));

  // A declared host whose data went to a country the manifest does not declare.
  const std::string abroad =
      Capture("abroad.pcap", {{"act.sg.example.com", testing::kChinaTelecom}});
  CommandResult cn =
      Homeport({"audit", "capture", abroad, "--manifest", manifest, "--root-pub", root_pub_});
  EXPECT_EQ(cn.exit_code, 1) << cn.err << cn.out;
  EXPECT_THAT(cn.out, HasSubstr("CN"));
}

TEST_F(ManifestDeclaration, AManifestThatDoesNotVerifyJudgesNothing) {
  const std::string manifest = dir_.File("sg-v3.jws");
  ASSERT_EQ(Sign(manifest).exit_code, 0);
  const std::string capture = Capture("clean.pcap", {{"act.sg.example.com", testing::kSingTel}});
  const std::string tree = Tree("tree", manifest, {"act.sg.example.com"});

  // One byte of the payload changed: a manifest declaring something its maker did not sign.
  std::string token = Read(manifest);
  const size_t payload = token.find('.') + 5;
  token[payload] = token[payload] == 'A' ? 'B' : 'A';
  const std::string tampered = dir_.File("tampered.jws");
  Write(tampered, token);

  for (const std::string& m : {tampered, dir_.File("missing.jws")}) {
    CommandResult c =
        Homeport({"audit", "capture", capture, "--manifest", m, "--root-pub", root_pub_});
    EXPECT_EQ(c.exit_code, 2) << c.err << c.out;
    EXPECT_THAT(c.err, HasSubstr("--manifest"));
    EXPECT_THAT(c.err, HasSubstr(m));
    EXPECT_THAT(c.out, Not(HasSubstr("clean")));
    CommandResult b = Homeport({"audit", "build", tree, "--manifest", m, "--root-pub", root_pub_});
    EXPECT_EQ(b.exit_code, 2) << b.err << b.out;
    EXPECT_THAT(b.err, HasSubstr(m));
  }
  CommandResult c =
      Homeport({"audit", "capture", capture, "--manifest", tampered, "--root-pub", root_pub_});
  EXPECT_THAT(c.err, HasSubstr("does not verify"));

  // Another maker's key: the signature does not verify either.
  ASSERT_EQ(Homeport({"keys", "new", "--out", dir_.File("other.jwk")}).exit_code, 0);
  CommandResult other = Homeport({"audit", "capture", capture, "--manifest", manifest, "--root-pub",
                                  dir_.File("other.jwk.pub")});
  EXPECT_EQ(other.exit_code, 2) << other.err;
  EXPECT_THAT(other.err, HasSubstr("does not verify"));
}

TEST_F(ManifestDeclaration, ManifestAndPolicyAreOneOrTheOther) {
  const std::string manifest = dir_.File("sg-v3.jws");
  ASSERT_EQ(Sign(manifest).exit_code, 0);
  const std::string policy = dir_.File("policy.json");
  Write(policy, testing::kSgPolicy);
  const std::string capture = Capture("clean.pcap", {{"act.sg.example.com", testing::kSingTel}});

  CommandResult both = Homeport({"audit", "capture", capture, "--manifest", manifest, "--root-pub",
                                 root_pub_, "--policy", policy});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err, HasSubstr("mutually exclusive"));
  CommandResult build_both = Homeport({"audit", "build", Tree("t", manifest, {}), "--manifest",
                                       manifest, "--root-pub", root_pub_, "--policy", policy});
  EXPECT_EQ(build_both.exit_code, 2);
  EXPECT_THAT(build_both.err, HasSubstr("mutually exclusive"));

  CommandResult no_key = Homeport({"audit", "capture", capture, "--manifest", manifest});
  EXPECT_EQ(no_key.exit_code, 2);
  EXPECT_THAT(no_key.err, HasSubstr("--root-pub"));
}

TEST_F(ManifestDeclaration, SignRefusesWhatCannotBeDeclared) {
  struct Case {
    std::vector<std::string> flags;
    const char* says;
    std::string uxp_url = "https://uxp.sg.example.com";
  } cases[] = {
      {{"--data-country", "SGP"}, "ISO 3166-1 alpha-2"},
      {{"--data-country", "S1"}, "S1"},
      {{"--allow-identifier", "dna"}, "imei"},  // lists the kinds there are
      {{"--allow-host", "https://push.example.com/"}, "not a URL"},
      {{"--allow-host", "a.*.example.com"}, "wildcard"},
      {{"--allow-host", "*"}, "*.example.com"},
      {{}, "--allow-cleartext", "http://uxp.sg.example.com"},
  };
  for (const auto& c : cases) {
    const std::string out = dir_.File("refused.jws");
    CommandResult r = Sign(out, c.flags, c.uxp_url);
    EXPECT_NE(r.exit_code, 0) << c.says;
    EXPECT_THAT(r.err, HasSubstr(c.says));
    EXPECT_FALSE(fs::exists(out)) << c.says;
  }
  // Declared, cleartext is fine; and a manifest signed without any declaration reads as before.
  ASSERT_EQ(Sign(dir_.File("plain.jws"), {"--allow-cleartext", "--allow-identifier", "email"},
                 "http://uxp.sg.example.com")
                .exit_code,
            0);
  CommandResult plain =
      Homeport({"manifest", "verify", "--root-pub", root_pub_, dir_.File("plain.jws")});
  auto p = nlohmann::json::parse(plain.out);
  EXPECT_EQ(p["data_flow"]["allow_cleartext"], true);
  EXPECT_EQ(p["data_flow"]["allow_identifiers"], nlohmann::json({"email"}));

  ASSERT_EQ(Homeport({"manifest", "sign", "--root-key", root_key_, "--region", "sg", "--variant",
                      "global", "--activation-url", "http://127.0.0.1:8080", "--uxp-url",
                      "http://127.0.0.1:8080", "--version", "1", "--out", dir_.File("old.jws")})
                .exit_code,
            0);
  CommandResult old =
      Homeport({"manifest", "verify", "--root-pub", root_pub_, dir_.File("old.jws")});
  ASSERT_EQ(old.exit_code, 0) << old.err;
  EXPECT_TRUE(nlohmann::json::parse(old.out)["data_flow"].is_null());
}

}  // namespace
}  // namespace homeport::e2e
