// `homeport audit build` through the real binary, on firmware trees built with the real maker
// tools (keys new, manifest sign, factory batch) and APKs zipped by Python's zipfile: a clean
// Singapore build, the 2019 mistake (the China manifest and China Telecom's registration host
// in a global build), a tree full of lookalike strings, the report forms and bad input.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "crypto/base64.h"
#include "crypto/ed25519.h"
#include "crypto/jws.h"
#include "e2e_support.h"
#include "homeport/env.h"

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

// What the verifier could not read is never "clean": a violation unless the policy accepts it.
TEST_F(AuditBuild, UnreadableFilesAreUninspectedNotFatal) {
  CommonFirmware(region_.Manifest("sg", "https://act.sg.example.com"), "{}");
  Write(policy_, R"({"region": "sg", "allow_hosts": ["*.sg.example.com", "schemas.android.com"]})");
  Write(tree_ + "/system/app/Broken.apk", std::string("PK\x03\x04", 4) + std::string(64, '\x01'));
  CommandResult r = Audit();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("1 not fully inspected"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  system/app/Broken.apk: not readable as a zip archive"), std::string::npos)
      << r.out;
  Write(policy_, R"({"region": "sg", "allow_hosts": ["*.sg.example.com", "schemas.android.com"],
                     "allow_uninspected": true})");
  CommandResult accepted = Audit();
  EXPECT_EQ(accepted.exit_code, 0) << accepted.out << accepted.err;
  EXPECT_NE(accepted.out.find("1 part not fully inspected, accepted by the policy"),
            std::string::npos)
      << accepted.out;
}

// The crafted inputs of the hostile-input review, each of which audited "clean" (exit 0).
class AuditBuildHostile : public AuditBuild {
 protected:
  void SetUp() override {
    AuditBuild::SetUp();
    fs::create_directories(tree_ + "/system/etc/homeport");
    fs::copy_file(region_.Manifest("sg", "https://act.sg.example.com"),
                  tree_ + "/system/etc/homeport/manifest.jws");
  }
  // The region's cn manifest, validly signed by the root key, with its protected header
  // written as `{ "alg"…` (Base64 "eyAi…", not "eyJ…").
  std::string SpacedHeaderManifest() {
    const std::string jws = Read(region_.Manifest("cn", "http://zzhc.vnet.cn"));
    auto key = crypto::ReadSecretKey(Env::Default(), region_.root_key);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    auto header = crypto::PeekHeader(jws);
    EXPECT_TRUE(header.ok());
    const size_t a = jws.find('.'), b = jws.rfind('.');
    const std::string input = crypto::Base64UrlEncode("{ " + header->dump().substr(1)) + "." +
                              jws.substr(a + 1, b - a - 1);
    return input + "." + crypto::Base64UrlEncode(key->Sign(input));
  }
};

TEST_F(AuditBuildHostile, AManifestAfter64KiBWithoutSeparatorsIsCaught) {
  const std::string cn = Read(region_.Manifest("cn", "http://zzhc.vnet.cn"));
  Write(tree_ + "/data/blob.txt", std::string(65536 - 100, '#') + cn);
  CommandResult r = Audit();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("MANIFEST data/blob.txt: is for region \"cn\""), std::string::npos) << r.out;
}

TEST_F(AuditBuildHostile, AManifestWhoseHeaderIsNotEyJIsCaught) {
  const std::string jws = SpacedHeaderManifest();
  ASSERT_TRUE(jws.starts_with("eyAi")) << jws;
  Write(tree_ + "/data/manifest.jws", jws + "\n");
  CommandResult r = Audit();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("MANIFEST data/manifest.jws: is for region \"cn\""), std::string::npos)
      << r.out;
}

TEST_F(AuditBuildHostile, WhatLiesBehindTheLimitsIsUninspected) {
  // Past the per-member limit (1 MiB here), a nested archive past the depth limit.
  Zip(tree_ + "/system/app/Big.apk",
      {{"assets/big.txt", std::string((1 << 20) + 10, 'x') + " http://zzhc.vnet.cn/late"}},
      scratch_ + "/big");
  Zip(scratch_ + "/inner.zip", {{"hosts.txt", "http://zzhc.vnet.cn/deep"}}, scratch_ + "/in");
  Zip(tree_ + "/ota/update.zip", {{"payload/inner.zip", Read(scratch_ + "/inner.zip")}},
      scratch_ + "/out");
  CommandResult r = Audit({"--max-member-mb", "1", "--max-depth", "1", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  std::map<std::string, nlohmann::json> by_subject;
  for (const auto& v : j["violations"]) {
    if (v["kind"] == "uninspected") by_subject[v["subject"]] = v;
  }
  ASSERT_EQ(by_subject.count("system/app/Big.apk!assets/big.txt"), 1u) << j.dump(2);
  EXPECT_EQ(by_subject["system/app/Big.apk!assets/big.txt"]["limit"], 1 << 20);
  EXPECT_EQ(by_subject["system/app/Big.apk!assets/big.txt"]["offset"], 1 << 20);
  ASSERT_EQ(by_subject.count("ota/update.zip!payload/inner.zip"), 1u) << j.dump(2);
  EXPECT_NE(by_subject["ota/update.zip!payload/inner.zip"]["reason"].get<std::string>().find(
                "nested more than 1 deep"),
            std::string::npos);
  EXPECT_EQ(j["clean"], false);
}

// An APK whose central directory is damaged: Android's tools still read it, and so does the
// audit, from the members' local headers.
TEST_F(AuditBuildHostile, AnApkWithACorruptCentralDirectoryIsReadFromItsLocalHeaders) {
  Zip(tree_ + "/system/app/Evil.apk",
      {{"AndroidManifest.xml", "<manifest/>"},
       {"assets/config.json", R"({"register_url": "http://zzhc.vnet.cn/zzhc/register.do"})"}},
      scratch_);
  std::string apk = Read(tree_ + "/system/app/Evil.apk");
  const size_t central = apk.find("PK\x01\x02");
  ASSERT_NE(central, std::string::npos);
  for (size_t i = central; i < apk.size(); ++i) apk[i] = '\x5a';
  Write(tree_ + "/system/app/Evil.apk", apk);
  CommandResult r = Audit();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("HOST zzhc.vnet.cn"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("system/app/Evil.apk!assets/config.json  x1  url"), std::string::npos)
      << r.out;
}

// Nested zip bombs of a few KB each stop at the expansion limit (256 MiB) instead of 4 GiB
// each, and a 10 GB sparse image costs what its data costs.
TEST_F(AuditBuildHostile, BombsAndSparseImagesAreBounded) {
  Write(scratch_ + "/bomb.py",
        "import io, sys, zipfile\n"
        "def z(members):\n"
        "    b = io.BytesIO()\n"
        "    with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as f:\n"
        "        for name, data in members: f.writestr(name, data)\n"
        "    return b.getvalue()\n"
        "zeros = z([('zeros', bytes(64 << 20))])\n"
        "layer = z([('z%d.zip' % i, zeros) for i in range(16)])\n"
        "bomb = z([('l%d.zip' % i, layer) for i in range(16)])\n"
        "for n in range(4): open(sys.argv[1] + '/bomb%d.zip' % n, 'wb').write(bomb)\n");
  fs::create_directories(tree_ + "/bombs");
  const std::string cmd = "python3 " + scratch_ + "/bomb.py " + tree_ + "/bombs";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  ASSERT_LT(fs::file_size(tree_ + "/bombs/bomb0.zip"), 2u << 20);
  {
    std::ofstream image(tree_ + "/disk.img", std::ios::binary);
    image.seekp(int64_t{10} << 30);
    image << " http://zzhc.vnet.cn/sparse ";
  }
  const auto start = std::chrono::steady_clock::now();
  CommandResult r = Audit({"--json"});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_LT(took, std::chrono::seconds(90));
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out.substr(0, 2000);
  int bombs_cut = 0;
  for (const auto& u : j["uninspected"]) {
    const std::string subject = u["subject"];
    if (subject.starts_with("bombs/bomb") &&
        u["reason"].get<std::string>().find("expansion limit") != std::string::npos) {
      ++bombs_cut;
    }
  }
  EXPECT_EQ(bombs_cut, 4) << j["uninspected"].dump(2);
  bool sparse_seen = false;
  for (const auto& h : j["hosts"]) {
    for (const auto& p : h["places"]) sparse_seen = sparse_seen || p["location"] == "disk.img";
  }
  EXPECT_TRUE(sparse_seen) << j["hosts"].dump(2);
}

TEST_F(AuditBuildHostile, TheOverallBudgetEndsTheScanWithAnUninspectedFinding) {
  Write(tree_ + "/data/a.bin", std::string(200000, 'a'));
  Write(tree_ + "/data/b.txt", "http://zzhc.vnet.cn/\n");
  CommandResult r = Audit({"--max-bytes", "100KiB"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.out.find("HOST zzhc.vnet.cn"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("data/a.bin: the overall budget of 102400 bytes (--max-bytes) ran out"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("data/b.txt: not inspected"), std::string::npos) << r.out;
  CommandResult bad = Audit({"--max-seconds", "0"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--max-seconds"), std::string::npos) << bad.err;
}

// Names that are not UTF-8 or hold control characters: --json used to abort (SIGABRT) and the
// text form printed them raw, so a file name could print its own "Result: clean" line.
TEST_F(AuditBuildHostile, HostileNamesAreEscapedInEveryForm) {
  Write(tree_ + "/data/fw\xff\xfe.bin", "http://zzhc.vnet.cn/\n");
  Write(tree_ + "/data/x\nResult: clean, no violations\n\x1b[2J", "http://zzhc.vnet.cn/\n");
  const std::string html = region_.dir.File("report.html");
  CommandResult j = Audit({"--json", "--html", html});
  EXPECT_EQ(j.exit_code, 1) << j.err;
  auto report = nlohmann::json::parse(j.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << j.out << j.err;
  std::string places;
  for (const auto& h : report["hosts"]) {
    for (const auto& p : h["places"]) places += p["location"].get<std::string>() + "|";
  }
  EXPECT_NE(places.find("data/fw\\xff\\xfe.bin|"), std::string::npos) << places;
  EXPECT_NE(places.find("data/x\\nResult: clean, no violations\\n\\x1b[2J|"), std::string::npos)
      << places;
  EXPECT_NE(Read(html).find("data/fw\\xff\\xfe.bin"), std::string::npos);
  CommandResult text = Audit();
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_EQ(text.out.find("\nResult: clean"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find('\x1b'), std::string::npos);
  EXPECT_NE(text.out.find("data/x\\nResult: clean, no violations\\n\\x1b[2J  x1  url"),
            std::string::npos)
      << text.out;
}

// Multicast (SSDP, mDNS) is a local destination, as `audit capture` judges it.
TEST_F(AuditBuildHostile, MulticastIsLocalAsInTheCaptureAudit) {
  Write(tree_ + "/etc/ssdp.conf", "http://239.255.255.250:1900/ http://[ff02::fb]:5353/\n");
  CommandResult r = Audit();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("239.255.255.250: local destination (private, loopback, link-local or "
                       "multicast)"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace homeport::e2e
