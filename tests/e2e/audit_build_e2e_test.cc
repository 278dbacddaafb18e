// `homeport audit build` through the real binary, on firmware trees built with the real maker
// tools (keys new, manifest sign, factory batch) and APKs zipped by Python's zipfile: a clean
// Singapore build, the 2019 mistake (the China manifest and China Telecom's registration host
// in a global build), a tree full of lookalike strings, the report forms and bad input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "crypto/base64.h"
#include "crypto/ed25519.h"
#include "crypto/jws.h"
#include "e2e_support.h"

namespace homeport::e2e {
namespace {

namespace fs = std::filesystem;

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

std::string Utf16(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

// An APK (a zip) written by Python's zipfile from member files, as a build system would.
void Zip(const std::string& out, const std::vector<std::pair<std::string, std::string>>& members,
         const std::string& scratch) {
  nlohmann::json spec = {{"out", out}, {"members", nlohmann::json::array()}};
  int n = 0;
  for (const auto& [name, data] : members) {
    const std::string file = scratch + "/member-" + std::to_string(n++);
    Write(file, data);
    spec["members"].push_back({{"name", name}, {"file", file}});
  }
  Write(scratch + "/zip.json", spec.dump());
  Write(scratch + "/zip.py",
        "import json, os, sys, zipfile\n"
        "spec = json.load(open(sys.argv[1]))\n"
        "os.makedirs(os.path.dirname(spec['out']), exist_ok=True)\n"
        "with zipfile.ZipFile(spec['out'], 'w', zipfile.ZIP_DEFLATED) as z:\n"
        "    for m in spec['members']:\n"
        "        z.write(m['file'], m['name'])\n");
  const std::string cmd = "python3 " + scratch + "/zip.py " + scratch + "/zip.json";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// Bytes that look like a compiled binary: an ELF header, machine-code noise and strings.
std::string Binary(const std::vector<std::string>& strings) {
  std::string out(
      "\x7f"
      "ELF\x02\x01\x01",
      7);
  uint64_t state = 0x2545f4914f6cdd1dull;
  for (const std::string& s : strings) {
    for (int i = 0; i < 300; ++i) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      out.push_back(static_cast<char>(state & 0xff));
    }
    out.push_back('\0');
    out += s;
    out.push_back('\0');
  }
  return out;
}

class AuditBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_ = region_.dir.File("tree");
    scratch_ = region_.dir.File("scratch");
    fs::create_directories(scratch_);
    policy_ = region_.dir.File("policy-sg.json");
    Write(policy_, R"({"region": "sg", "allow_hosts": ["*.sg.example.com"]})");
  }

  // The firmware every build shares: the activation agent, its APK and the factory batch.
  void CommonFirmware(const std::string& manifest, const std::string& apk_config) {
    fs::create_directories(tree_ + "/system/etc/homeport");
    fs::copy_file(manifest, tree_ + "/system/etc/homeport/manifest.jws");
    fs::create_directories(tree_ + "/factory");
    fs::copy(region_.batch_dir, tree_ + "/factory/batch", fs::copy_options::recursive);
    Write(tree_ + "/system/bin/homeport-agent",
          Binary({"homeport-agent 1.4.2", "libcurl.so.4", "GLIBC_2.34", ".note.gnu.property",
                  "manifest.jws", "Lcom/example/activation/Main;"}));
    std::string axml = "\x03\x00\x08\x00";
    axml += Utf16("com.example.activation") + std::string(2, '\0') +
            Utf16("android.permission.INTERNET") + std::string(2, '\0') +
            Utf16("http://schemas.android.com/apk/res/android");
    Zip(tree_ + "/system/app/Activation/Activation.apk",
        {{"AndroidManifest.xml", axml},
         {"classes.dex",
          Binary({"Lcom/example/activation/Main;", "com.example.activation", "android.net",
                  "java.io", "okhttp3.OkHttpClient", "Activation.java", "setup.py"})},
         {"assets/config.json", apk_config},
         {"res/raw/licenses.txt", "See README.md and NOTICE.txt; version 2.3.1\n"}},
        scratch_);
  }

  CommandResult Audit(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"audit",          "build",    tree_,  "--root-pub",
                                     region_.root_pub, "--policy", policy_};
    args.insert(args.end(), extra.begin(), extra.end());
    return Homeport(args);
  }

  Region region_{2};
  std::string tree_, scratch_, policy_;
};

TEST_F(AuditBuild, CleanSingaporeBuildPasses) {
  CommonFirmware(region_.Manifest("sg", "https://act.sg.example.com"),
                 R"({"activation_url": "https://act.sg.example.com/v1/activations",)"
                 R"( "uxp_host": "uxp.sg.example.com"})");
  // The schemas.android.com namespace is in every APK: a policy lists it.
  Write(policy_, R"({"region": "sg", "allow_hosts": ["*.sg.example.com", "schemas.android.com"]})");
  Write(tree_ + "/system/bin/homeport-uxp",
        Binary({"https://uxp.sg.example.com/submit/homeport-agent"}) + Utf16("act.sg.example.com") +
            std::string(2, '\0'));
  CommandResult r = Audit();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Result: clean"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok   system/etc/homeport/manifest.jws: region sg"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("system/app/Activation/Activation.apk!assets/config.json"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("1 archive, 4 archive members"), std::string::npos) << r.out;
  // The same tree by the design's wording: the manifests of the region say what is allowed.
  // The test manifest declares act.sg.example.com for both endpoints; schemas.android.com is
  // no manifest's endpoint.
  fs::remove(tree_ + "/system/bin/homeport-uxp");
  fs::remove(tree_ + "/system/app/Activation/Activation.apk");
  CommandResult design =
      Homeport({"audit", "build", tree_, "--region", "sg", "--manifest-root", region_.root_pub});
  EXPECT_EQ(design.exit_code, 0) << design.out << design.err;
}

TEST_F(AuditBuild, The2019MistakeIsCaught) {
  const std::string cn = region_.Manifest("cn", "http://zzhc.vnet.cn");
  CommonFirmware(cn, R"({"register_url": "http://zzhc.vnet.cn/zzhc/register.do"})");
  CommandResult r = Audit();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("MANIFEST system/etc/homeport/manifest.jws: is for region \"cn\" "
                       "(variants global), but this build is for region \"sg\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("HOST zzhc.vnet.cn: not allowed by the policy"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("system/app/Activation/Activation.apk!assets/config.json  x1  url  "
                       "http://zzhc.vnet.cn/zzhc/register.do"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("system/etc/homeport/manifest.jws  x2  manifest"), std::string::npos)
      << r.out;
  // Violations come before everything else.
  EXPECT_LT(r.out.find("Violations"), r.out.find("Manifests ("));
  // Without a policy, by region: the cn manifest is still wrong for sg.
  CommandResult design =
      Homeport({"audit", "build", tree_, "--region", "sg", "--manifest-root", region_.root_pub});
  EXPECT_EQ(design.exit_code, 1) << design.out << design.err;
}

TEST_F(AuditBuild, JsonAndHtmlReports) {
  CommonFirmware(region_.Manifest("cn", "http://zzhc.vnet.cn"),
                 R"({"register_url": "http://zzhc.vnet.cn/zzhc/register.do"})");
  const std::string html = region_.dir.File("report.html");
  CommandResult r = Audit({"--json", "--html", html});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["clean"], false);
  EXPECT_EQ(j["region"], "sg");
  ASSERT_GE(j["violations"].size(), 2u);
  EXPECT_EQ(j["violations"][0]["kind"], "manifest");
  EXPECT_EQ(j["violations"][0]["region"], "cn");
  EXPECT_EQ(j["violations"][0]["variants"], nlohmann::json({"global"}));
  EXPECT_EQ(j["violations"][0]["location"], "system/etc/homeport/manifest.jws");
  bool host_named = false;
  for (const auto& v : j["violations"]) {
    if (v["kind"] != "host" || v["host"] != "zzhc.vnet.cn") continue;
    for (const auto& p : v["places"]) {
      host_named =
          host_named || p["location"] == "system/app/Activation/Activation.apk!assets/config.json";
    }
  }
  EXPECT_TRUE(host_named) << j["violations"].dump(2);
  EXPECT_EQ(j["summary"]["archives"], 1);
  EXPECT_EQ(j["summary"]["members"], 4);
  const std::string page = Read(html);
  EXPECT_EQ(page.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(page.find("zzhc.vnet.cn"), std::string::npos);
  EXPECT_NE(page.find("Activation.apk!assets/config.json"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

TEST_F(AuditBuild, LookalikeStringsRaiseNoFalseAlarms) {
  fs::create_directories(tree_ + "/system/etc/homeport");
  fs::copy_file(region_.Manifest("sg", "https://act.sg.example.com"),
                tree_ + "/system/etc/homeport/manifest.jws");
  fs::create_directories(tree_ + "/factory");
  fs::copy(region_.batch_dir, tree_ + "/factory/batch", fs::copy_options::recursive);
  crypto::SecretKey key = crypto::SecretKey::Generate();
  std::string text, b64;
  uint64_t state = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < 400; ++i) {
    std::string bytes(36, '\0');
    for (char& c : bytes) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      c = static_cast<char>(state & 0xff);
    }
    b64 += crypto::Base64Encode(bytes) + "\n" + crypto::Base64UrlEncode(bytes) + "\n";
    text +=
        crypto::SignCompact(R"({"sub":")" + std::to_string(i) + R"("})", key, {{"typ", "JWT"}}) +
        "\n";
    text += "version " + std::to_string(i % 7) + "." + std::to_string(i) + "." +
            std::to_string(i * 3) + " build 2026.11." + std::to_string(i % 28 + 1) + "\n";
  }
  Write(tree_ + "/data/tokens.txt", text);
  Write(tree_ + "/data/blobs.b64", b64);
  Write(tree_ + "/data/files.lst",
        "setup.py install.sh README.md update.zip Makefile.in libc.so libc.so.6 index.html "
        "config.json Android.mk proguard-rules.pro app.js.map main.rs Activation.java\n"
        "com.example.app android.net android.app.Activity androidx.core.app kotlin.io java.io "
        "Lcom/example/app/MainActivity; window.location.host user.name event.target\n"
        ".data.rel.ro .note.gnu.property .plt.got collections.abc value.cr\n");
  Write(tree_ + "/data/strings.utf16", Utf16("com.example.app") + std::string(2, '\0') +
                                           Utf16("res/layout/activity_main.xml") +
                                           std::string(2, '\0') + Utf16("v1.2.3"));
  Zip(tree_ + "/system/app/Noise.apk", {{"assets/tokens.txt", text}, {"classes.dex", b64}},
      scratch_);
  CommandResult r = Audit({"--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  std::vector<std::string> hosts;
  for (const auto& h : j["hosts"]) hosts.push_back(h["host"]);
  // Only the manifest's own endpoint.
  EXPECT_EQ(hosts, std::vector<std::string>{"act.sg.example.com"}) << j["hosts"].dump(2);
}

TEST_F(AuditBuild, UnusableInputExitsTwo) {
  CommonFirmware(region_.Manifest("sg", "https://act.sg.example.com"), "{}");
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const std::string bad_json = region_.dir.File("bad.json");
  Write(bad_json, R"({"region": "sg", "allow_host": []})");
  const Case cases[] = {
      {{"audit", "build", region_.dir.File("no-such-tree"), "--root-pub", region_.root_pub,
        "--policy", policy_},
       "no-such-tree: no such directory"},
      {{"audit", "build", tree_, "--root-pub", region_.dir.File("missing.pub"), "--policy",
        policy_},
       "--root-pub"},
      {{"audit", "build", tree_, "--root-pub", policy_, "--policy", policy_}, "--root-pub"},
      {{"audit", "build", tree_, "--root-pub", region_.root_pub, "--policy", bad_json},
       "unknown policy field \"allow_host\""},
      {{"audit", "build", tree_, "--root-pub", region_.root_pub, "--policy",
        region_.dir.File("missing.json")},
       "cannot read the policy file"},
      {{"audit", "build", tree_, "--root-pub", region_.root_pub}, "needs --policy"},
      {{"audit", "build", tree_, "--policy", policy_}, "needs --root-pub"},
      {{"audit", "build", "--root-pub", region_.root_pub, "--policy", policy_}, "needs DIR"},
      {{"audit", "build", tree_, "--root-pub", region_.root_pub, "--policy", policy_, "--region",
        "cn"},
       "contradicts"},
  };
  for (const Case& c : cases) {
    CommandResult r = Homeport(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.message << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST_F(AuditBuild, UnreadableFilesAreReportedNotFatal) {
  CommonFirmware(region_.Manifest("sg", "https://act.sg.example.com"), "{}");
  Write(policy_, R"({"region": "sg", "allow_hosts": ["*.sg.example.com", "schemas.android.com"]})");
  Write(tree_ + "/system/app/Broken.apk", std::string("PK\x03\x04", 4) + std::string(64, '\x01'));
  CommandResult r = Audit();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("system/app/Broken.apk: not readable as a zip archive"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace homeport::e2e
