// ScanBuildTree over plain files and Judge against a policy: manifests for the right region
// and key, hosts allowed or not, and what the scan could not read.
#include "audit/build/build_audit.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "common/testing_temp_dir.h"
#include "provisioning/region_manifest.h"

namespace homeport::audit::build {
namespace {

void Write(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string Utf16(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

AuditPolicy SgPolicy() {
  auto p = AuditPolicy::Parse(
      R"({"region": "sg", "allow_hosts": ["*.sg.example.com", "time.example.org"]})");
  EXPECT_TRUE(p.ok());
  return *p;
}

class BuildAuditTest : public ::testing::Test {
 protected:
  std::string Manifest(const std::string& region, const std::string& url,
                       const crypto::SecretKey* key = nullptr) {
    RegionManifest m{region, {"global"}, url, url, {}, 1, "2026-11-29T00:00:00Z"};
    auto jws = SignManifest(m, key != nullptr ? *key : root_);
    EXPECT_TRUE(jws.ok());
    return *jws;
  }
  BuildFindings Scan() {
    auto f = ScanBuildTree(dir_.path(), root_.Public());
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? std::move(*f) : BuildFindings{};
  }
  const HostJudgement* Host(const BuildVerdict& v, const std::string& name) {
    for (const HostJudgement& h : v.hosts) {
      if (h.findings->host == name) return &h;
    }
    return nullptr;
  }

  testing::TempDir dir_;
  crypto::SecretKey root_ = crypto::SecretKey::Generate();
};

TEST_F(BuildAuditTest, CleanTreeHasNoViolations) {
  Write(dir_.File("etc/manifest.jws"), Manifest("sg", "https://act.sg.example.com") + "\n");
  const char agent[] =
      "\x7f"
      "ELF\x02\x01\0https://uxp.sg.example.com/submit\0ntp time.example.org";
  Write(dir_.File("bin/agent"), std::string(agent, sizeof agent));
  Write(dir_.File("etc/version"), "1.2.3\nbuild 2026.11.29\nsetup.py README.md\n");
  BuildFindings f = Scan();
  BuildVerdict v = Judge(f, SgPolicy());
  EXPECT_TRUE(v.Clean());
  ASSERT_EQ(v.manifests.size(), 1u);
  EXPECT_TRUE(v.manifests[0].ok);
  ASSERT_NE(Host(v, "act.sg.example.com"), nullptr);  // declared by the manifest
  EXPECT_TRUE(Host(v, "act.sg.example.com")->allowed);
  EXPECT_TRUE(Host(v, "uxp.sg.example.com")->allowed);
  EXPECT_TRUE(Host(v, "time.example.org")->allowed);
  EXPECT_EQ(v.hosts.size(), 3u);
  EXPECT_TRUE(v.warnings.empty());
}

TEST_F(BuildAuditTest, TheChinaManifestInASingaporeBuildIsAViolation) {
  Write(dir_.File("etc/manifest.jws"), Manifest("cn", "http://zzhc.vnet.cn"));
  BuildFindings f = Scan();
  BuildVerdict v = Judge(f, SgPolicy());
  EXPECT_FALSE(v.Clean());
  ASSERT_EQ(v.manifests.size(), 1u);
  EXPECT_FALSE(v.manifests[0].ok);
  EXPECT_EQ(v.manifests[0].finding->location, "etc/manifest.jws");
  EXPECT_NE(v.manifests[0].problem.find("region \"cn\""), std::string::npos);
  EXPECT_NE(v.manifests[0].problem.find("global"), std::string::npos);
  const HostJudgement* h = Host(v, "zzhc.vnet.cn");
  ASSERT_NE(h, nullptr);
  EXPECT_FALSE(h->allowed);
  EXPECT_EQ(h->findings->places.begin()->first, "etc/manifest.jws");
  EXPECT_EQ(v.hosts.front().findings->host, "zzhc.vnet.cn");  // violations first
}

TEST_F(BuildAuditTest, AManifestOfAnotherKeyIsAViolationEvenForTheRightRegion) {
  crypto::SecretKey other = crypto::SecretKey::Generate();
  Write(dir_.File("profile.json"),
        R"({"manifest": ")" + Manifest("sg", "https://act.sg.example.com", &other) + R"("})");
  BuildVerdict v = Judge(Scan(), SgPolicy());
  ASSERT_EQ(v.manifests.size(), 1u);
  EXPECT_FALSE(v.manifests[0].ok);
  EXPECT_NE(v.manifests[0].problem.find("does not verify"), std::string::npos);
  EXPECT_NE(v.manifests[0].problem.find("claims region \"sg\""), std::string::npos);
}

TEST_F(BuildAuditTest, AManifestWithPlainHttpEndpointsIsAViolationUnlessCleartextIsAllowed) {
  Write(dir_.File("etc/manifest.jws"), Manifest("sg", "http://act.sg.example.com"));
  BuildFindings f = Scan();
  BuildVerdict v = Judge(f, SgPolicy());
  EXPECT_FALSE(v.Clean());
  ASSERT_EQ(v.manifests.size(), 1u);
  EXPECT_FALSE(v.manifests[0].ok);
  EXPECT_NE(v.manifests[0].problem.find("http://act.sg.example.com"), std::string::npos)
      << v.manifests[0].problem;
  EXPECT_NE(v.manifests[0].problem.find("allow_cleartext"), std::string::npos);

  AuditPolicy lenient = SgPolicy();
  lenient.allow_cleartext = true;
  EXPECT_TRUE(Judge(f, lenient).Clean());
}

TEST_F(BuildAuditTest, FindsHostsInUtf16Strings) {
  Write(dir_.File("res/resources.arsc"), std::string("\x02\x00\x0c\x00", 4) +
                                             Utf16("http://zzhc.vnet.cn/reg") +
                                             std::string("\0\0", 2) + Utf16("com.example.app"));
  BuildFindings f = Scan();
  EXPECT_TRUE(f.hosts.count("zzhc.vnet.cn"));
  EXPECT_FALSE(f.hosts.count("com.example.app"));
  EXPECT_FALSE(f.hosts.count("example.app"));
}

TEST_F(BuildAuditTest, RandomBytesRaiseNoFalseAlarms) {
  // Compressed filesystem images are close to random; 16 MiB of it, deterministically.
  std::string bytes(16 << 20, '\0');
  uint64_t state = 0x2545f4914f6cdd1dull;
  for (size_t i = 0; i < bytes.size(); i += 8) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    for (size_t k = 0; k < 8; ++k) bytes[i + k] = static_cast<char>(state >> (8 * k));
  }
  Write(dir_.File("system.img"), bytes);
  BuildFindings f = Scan();
  EXPECT_TRUE(f.hosts.empty()) << f.hosts.begin()->first << " in "
                               << f.hosts.begin()->second.places.begin()->second.example;
  EXPECT_EQ(f.summary.bytes, bytes.size());
}

TEST_F(BuildAuditTest, CountsEachPlaceAndEvidence) {
  Write(dir_.File("a.txt"), "http://zzhc.vnet.cn/a\nhttp://zzhc.vnet.cn/b\nzzhc.vnet.cn\n");
  Write(dir_.File("b.txt"), "mail ops@zzhc.vnet.cn\n");
  BuildFindings f = Scan();
  const HostFindings& h = f.hosts.at("zzhc.vnet.cn");
  EXPECT_EQ(h.total, 4u);
  EXPECT_EQ(h.places.at("a.txt").count, 3u);
  EXPECT_EQ(h.places.at("a.txt").example, "http://zzhc.vnet.cn/a");
  EXPECT_EQ(h.places.at("b.txt").count, 1u);
  EXPECT_EQ(f.summary.files, 2u);
}

TEST_F(BuildAuditTest, JarManifestLinesAreUnfolded) {
  Write(dir_.File("lib/META-INF/MANIFEST.MF"),
        "Manifest-Version: 1.0\r\nExport-Package: com.google.common.base,com.g\r\n oogle.common"
        ".io\r\nBundle-DocURL: https://docs.exam\n ple.com/guava\n\nName: x\n");
  Write(dir_.File("lib/NOTES.MF"), "see https://docs.exam\n ple.com/guava\n");
  BuildFindings f = Scan();
  EXPECT_FALSE(f.hosts.count("oogle.common.io"));
  ASSERT_TRUE(f.hosts.count("docs.example.com"));
  EXPECT_EQ(f.hosts.at("docs.example.com").places.begin()->first, "lib/META-INF/MANIFEST.MF");
  EXPECT_EQ(f.hosts.at("docs.example.com").total, 1u);  // only JAR manifests are unfolded
}

TEST_F(BuildAuditTest, UnreadableFilesAndSymlinksAreReportedNotFatal) {
  Write(dir_.File("ok.txt"), "http://zzhc.vnet.cn/\n");
  Write(dir_.File("secret.bin"), "http://hidden.example.com/\n");
  ::chmod(dir_.File("secret.bin").c_str(), 0);
  std::filesystem::create_symlink("/etc", dir_.File("etc-link"));
  BuildFindings f = Scan();
  EXPECT_TRUE(f.hosts.count("zzhc.vnet.cn"));
  EXPECT_EQ(f.summary.symlinks, 1u);
  if (::geteuid() != 0) {  // root reads anything
    ASSERT_EQ(f.uninspected.size(), 1u);
    EXPECT_EQ(f.uninspected[0].subject, "secret.bin");
    EXPECT_NE(f.uninspected[0].reason.find("not readable"), std::string::npos);
    EXPECT_FALSE(Judge(f, SgPolicy()).Clean());
  }
}

TEST_F(BuildAuditTest, AMissingTreeIsAnError) {
  auto f = ScanBuildTree(dir_.File("nope"), root_.Public());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("nope"), std::string::npos);
}

TEST_F(BuildAuditTest, NoManifestIsAWarningNotAViolation) {
  Write(dir_.File("readme.txt"), "nothing here\n");
  BuildVerdict v = Judge(Scan(), SgPolicy());
  EXPECT_TRUE(v.Clean());
  ASSERT_EQ(v.warnings.size(), 1u);
  EXPECT_NE(v.warnings[0].find("no region manifest"), std::string::npos);
}

TEST_F(BuildAuditTest, WithoutAPolicyTheVerifiedManifestsOfTheRegionSayWhatIsAllowed) {
  Write(dir_.File("sg.jws"), Manifest("sg", "https://act.sg.example.com"));
  Write(dir_.File("cn.jws"), Manifest("cn", "http://zzhc.vnet.cn"));
  crypto::SecretKey other = crypto::SecretKey::Generate();
  Write(dir_.File("forged.jws"), Manifest("sg", "https://evil.example.net", &other));
  BuildFindings f = Scan();
  AuditPolicy p = PolicyFromManifests(f, "sg");
  EXPECT_EQ(p.region, "sg");
  EXPECT_EQ(p.allow_hosts, std::vector<std::string>{"act.sg.example.com"});
  BuildVerdict v = Judge(f, p);
  EXPECT_EQ(v.ManifestViolations(), 2u);  // cn, and the forged one
  EXPECT_FALSE(Host(v, "zzhc.vnet.cn")->allowed);
  EXPECT_FALSE(Host(v, "evil.example.net")->allowed);
  EXPECT_TRUE(Host(v, "act.sg.example.com")->allowed);
}

TEST_F(BuildAuditTest, PrivateDestinationsFollowThePolicy) {
  Write(dir_.File("dev.conf"),
        "http://127.0.0.1:8080/ http://192.168.1.10/ http://localhost/\n"
        "http://8.8.8.8/\n");
  BuildFindings f = Scan();
  BuildVerdict lan = Judge(f, SgPolicy());
  EXPECT_TRUE(Host(lan, "127.0.0.1")->allowed);
  EXPECT_TRUE(Host(lan, "192.168.1.10")->allowed);
  EXPECT_TRUE(Host(lan, "localhost")->allowed);
  EXPECT_FALSE(Host(lan, "8.8.8.8")->allowed);
  AuditPolicy strict = SgPolicy();
  strict.allow_private = false;
  BuildVerdict v = Judge(f, strict);
  EXPECT_FALSE(Host(v, "127.0.0.1")->allowed);
  EXPECT_EQ(v.HostViolations(), 4u);
}

TEST_F(BuildAuditTest, TheOverallByteBudgetCutsPlainFilesAndSaysWhere) {
  Write(dir_.File("a.txt"), std::string(1000, 'a') + " http://a.example.com/\n");
  Write(dir_.File("b.txt"), std::string(1000, 'b') + " http://b.example.com/\n");
  Write(dir_.File("c.txt"), "http://c.example.com/\n");
  BuildAuditOptions options;
  options.max_total_bytes = 1500;
  auto f = ScanBuildTree(dir_.path(), root_.Public(), options);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->hosts.count("a.example.com"));
  EXPECT_FALSE(f->hosts.count("b.example.com"));
  EXPECT_FALSE(f->hosts.count("c.example.com"));
  ASSERT_EQ(f->uninspected.size(), 2u);
  EXPECT_EQ(f->uninspected[0].subject, "b.txt");
  EXPECT_EQ(f->uninspected[0].offset, 1500u - 1023u);
  EXPECT_EQ(f->uninspected[0].limit, 1500u);
  EXPECT_NE(f->uninspected[0].reason.find("--max-bytes"), std::string::npos);
  EXPECT_EQ(f->uninspected[1].subject, "c.txt");
  EXPECT_EQ(f->summary.bytes, 1500u);
  // A violation, unless the policy accepts what was not inspected.
  EXPECT_FALSE(Judge(*f, SgPolicy()).Clean());
  AuditPolicy lenient = SgPolicy();
  lenient.allow_uninspected = true;
  EXPECT_EQ(Judge(*f, lenient).UninspectedViolations(), 0u);
}

TEST_F(BuildAuditTest, TheTimeBudgetCutsTheScan) {
  Write(dir_.File("a.txt"), "http://a.example.com/\n");
  Write(dir_.File("b.txt"), "http://b.example.com/\n");
  BuildAuditOptions options;
  options.max_time = std::chrono::seconds(10);
  auto t = std::chrono::steady_clock::time_point();
  // Every look at the clock is 6 s later: a.txt is read, b.txt is past the deadline.
  options.clock = [&t] { return t += std::chrono::seconds(6); };
  auto f = ScanBuildTree(dir_.path(), root_.Public(), options);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->hosts.count("a.example.com"));
  EXPECT_FALSE(f->hosts.count("b.example.com"));
  ASSERT_EQ(f->uninspected.size(), 1u);
  EXPECT_EQ(f->uninspected[0].subject, "b.txt");
  EXPECT_NE(f->uninspected[0].reason.find("--max-seconds"), std::string::npos);
}

// A 4 GiB sparse file costs what its data costs: the hole is not read, the data after it is.
TEST_F(BuildAuditTest, TheHolesOfASparseFileAreNotRead) {
  const std::string path = dir_.File("disk.img");
  {
    std::ofstream out(path, std::ios::binary);
    out.seekp((int64_t{4} << 30) - 64);
    out << "  http://after-the-hole.example.com/";
  }
  const auto start = std::chrono::steady_clock::now();
  BuildFindings f = Scan();
  EXPECT_TRUE(f.hosts.count("after-the-hole.example.com"));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  if (static_cast<uint64_t>(st.st_blocks) * 512 < (uint64_t{1} << 30)) {  // holes kept
    EXPECT_LT(f.summary.bytes, uint64_t{1} << 20);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  }
}

// 64 KiB of printable text without a separator, then a manifest: the string cut used to fall
// inside the token and the manifest went unseen.
TEST_F(BuildAuditTest, AManifestAfterALongRunWithoutSeparatorsIsFound) {
  const std::string cn = Manifest("cn", "http://zzhc.vnet.cn");
  for (size_t pad : {size_t{65536 - 100}, size_t{65536 - 7}, size_t{200000}}) {
    testing::TempDir dir;
    Write(dir.File("blob.txt"), std::string(pad, '#') + cn + std::string(pad % 300, '#'));
    auto f = ScanBuildTree(dir.path(), root_.Public());
    ASSERT_TRUE(f.ok());
    ASSERT_EQ(f->manifests.size(), 1u) << pad;
    EXPECT_EQ(f->manifests[0].found.manifest.region, "cn");
    EXPECT_EQ(f->hosts.at("zzhc.vnet.cn").total, 2u) << pad;  // activation_url and uxp_url
    EXPECT_FALSE(Judge(*f, SgPolicy()).Clean());
  }
}

TEST(PrivateDestination, KnowsTheRanges) {
  for (const char* yes : {"10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.0.1", "127.0.0.1",
                          "169.254.1.1", "100.64.0.1", "::1", "fd00::1", "fe80::1",
                          "::ffff:10.0.0.1", "localhost", "dev.localhost",
                          // Multicast and "this host": local, as `audit capture` judges them.
                          "224.0.0.251", "239.255.255.250", "ff02::fb", "0.0.0.0", "::"}) {
    EXPECT_TRUE(IsPrivateDestination(yes)) << yes;
  }
  for (const char* no : {"8.8.8.8", "172.32.0.1", "203.0.113.7", "2001:db8::1", "100.128.0.1",
                         "zzhc.vnet.cn", "localhost.example.com"}) {
    EXPECT_FALSE(IsPrivateDestination(no)) << no;
  }
}

}  // namespace
}  // namespace homeport::audit::build
