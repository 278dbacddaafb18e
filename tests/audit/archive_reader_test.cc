// Archives in a firmware tree: zip/APK/JAR (nested too), tar, compressed files; members are
// named "path/in/tree.apk!member" and read within the size limits.
#include "audit/build/archive_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "audit/build/build_audit.h"
#include "common/testing_temp_dir.h"

namespace homeport::audit::build {
namespace {

struct Entry {
  std::string name;
  std::string data;
};

enum class Kind { kZip, kStoredZip, kTarGz, kGzip };

la_ssize_t Append(struct archive*, void* out, const void* data, size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(data), n);
  return static_cast<la_ssize_t>(n);
}

// An archive in memory, written by libarchive (as a build system would write it).
std::string Archive(Kind kind, const std::vector<Entry>& entries) {
  std::string out;
  struct archive* a = archive_write_new();
  switch (kind) {
    case Kind::kZip:
      archive_write_set_format_zip(a);
      break;
    case Kind::kStoredZip:
      archive_write_set_format_zip(a);
      archive_write_set_options(a, "zip:compression=store");
      break;
    case Kind::kTarGz:
      archive_write_set_format_pax_restricted(a);
      archive_write_add_filter_gzip(a);
      break;
    case Kind::kGzip:
      archive_write_set_format_raw(a);
      archive_write_add_filter_gzip(a);
      break;
  }
  archive_write_set_bytes_in_last_block(a, 1);
  EXPECT_EQ(archive_write_open(a, &out, nullptr, Append, nullptr), ARCHIVE_OK);
  if (kind != Kind::kGzip) {
    struct archive_entry* dir = archive_entry_new();
    archive_entry_set_pathname(dir, "assets/");
    archive_entry_set_filetype(dir, AE_IFDIR);
    archive_entry_set_perm(dir, 0755);
    archive_write_header(a, dir);
    archive_entry_free(dir);
  }
  for (const Entry& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(e.data.size()));
    EXPECT_EQ(archive_write_header(a, entry), ARCHIVE_OK) << archive_error_string(a);
    EXPECT_EQ(archive_write_data(a, e.data.data(), e.data.size()),
              static_cast<la_ssize_t>(e.data.size()));
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

void Write(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

crypto::PublicKey AnyKey() { return crypto::SecretKey::Generate().Public(); }

std::vector<std::string> PlacesOf(const BuildFindings& f, const std::string& host) {
  std::vector<std::string> out;
  auto it = f.hosts.find(host);
  if (it == f.hosts.end()) return out;
  for (const auto& [location, place] : it->second.places) out.push_back(location);
  return out;
}

bool HasNote(const BuildFindings& f, const std::string& location, const std::string& words) {
  for (const ScanNote& n : f.notes) {
    if (n.location == location && n.reason.find(words) != std::string::npos) return true;
  }
  return false;
}

// The Uninspected finding for `subject` whose reason holds `words`, or nullptr.
const Uninspected* FindUninspected(const BuildFindings& f, const std::string& subject,
                                   const std::string& words) {
  for (const Uninspected& u : f.uninspected) {
    if (u.subject == subject && u.reason.find(words) != std::string::npos) return &u;
  }
  return nullptr;
}

std::string ListUninspected(const BuildFindings& f) {
  std::string out;
  for (const Uninspected& u : f.uninspected) out += u.subject + ": " + u.reason + "\n";
  return out;
}

TEST(ArchiveReader, SniffsContainersByContent) {
  EXPECT_EQ(SniffContainer(Archive(Kind::kZip, {{"a", "b"}})), ContainerKind::kZip);
  EXPECT_EQ(SniffContainer(Archive(Kind::kTarGz, {{"a", "b"}})), ContainerKind::kCompressed);
  EXPECT_EQ(SniffContainer(Archive(Kind::kGzip, {{"a", "b"}})), ContainerKind::kCompressed);
  std::string tar(512, '\0');
  tar.replace(257, 5, "ustar");
  EXPECT_EQ(SniffContainer(tar), ContainerKind::kTar);
  EXPECT_EQ(SniffContainer("PK"), ContainerKind::kNone);
  EXPECT_EQ(SniffContainer("{\"host\": \"x\"}"), ContainerKind::kNone);
  EXPECT_EQ(SniffContainer(""), ContainerKind::kNone);
}

TEST(ArchiveReader, ListsRegularMembersAndReadsThem) {
  testing::TempDir dir;
  Write(dir.File("app.apk"), Archive(Kind::kZip, {{"AndroidManifest.xml", "<manifest/>"},
                                                  {"assets/config.json", "{\"a\": 1}"}}));
  auto reader = ArchiveReader::OpenFile(dir.File("app.apk"), ContainerKind::kZip);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<std::string> names;
  std::string data;
  for (;;) {
    auto next = (*reader)->Next();
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    if (!*next) break;
    names.push_back((*next)->name);
    char buf[4];
    for (;;) {
      auto n = (*reader)->Read(std::span<char>(buf, sizeof buf));
      ASSERT_TRUE(n.ok());
      if (*n == 0) break;
      data.append(buf, *n);
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"AndroidManifest.xml", "assets/config.json"}));
  EXPECT_EQ(data, "<manifest/>{\"a\": 1}");
}

TEST(ArchiveScan, NamesMembersAndNestedMembers) {
  testing::TempDir dir;
  const std::string jar = Archive(Kind::kZip, {{"res/endpoints.txt", "https://jar.example.net/x"}});
  const std::string apk = Archive(
      Kind::kStoredZip,
      {{"assets/config.json", R"({"url": "http://zzhc.vnet.cn/r"})"}, {"libs/sdk.jar", jar}});
  Write(dir.File("system/app/Activation.apk"), apk);
  Write(dir.File("ota/update.zip"), Archive(Kind::kZip, {{"payload/Activation.apk", apk}}));
  Write(dir.File("rootfs.tar.gz"),
        Archive(Kind::kTarGz, {{"./etc/ntp.conf", "server time.example.org iburst\n"}}));
  Write(dir.File("logs/boot.txt.gz"),
        Archive(Kind::kGzip, {{"data", "uploading to log.example.com\n"}}));
  Write(dir.File("firmware/blob.bin"), Archive(Kind::kZip, {{"x.txt", "api.example.de"}}));

  auto f = ScanBuildTree(dir.path(), AnyKey());
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(PlacesOf(*f, "zzhc.vnet.cn"),
            (std::vector<std::string>{"ota/update.zip!payload/Activation.apk!assets/config.json",
                                      "system/app/Activation.apk!assets/config.json"}));
  EXPECT_EQ(PlacesOf(*f, "jar.example.net"),
            (std::vector<std::string>{
                "ota/update.zip!payload/Activation.apk!libs/sdk.jar!res/endpoints.txt",
                "system/app/Activation.apk!libs/sdk.jar!res/endpoints.txt"}));
  EXPECT_EQ(PlacesOf(*f, "time.example.org"),
            std::vector<std::string>{"rootfs.tar.gz!etc/ntp.conf"});
  EXPECT_EQ(PlacesOf(*f, "log.example.com"), std::vector<std::string>{"logs/boot.txt.gz!boot.txt"});
  EXPECT_EQ(PlacesOf(*f, "api.example.de"), std::vector<std::string>{"firmware/blob.bin!x.txt"});
  EXPECT_EQ(f->summary.files, 5u);
  // update.zip, its APK and JAR; Activation.apk and its JAR; rootfs; boot.txt.gz; blob.bin.
  EXPECT_EQ(f->summary.archives, 8u);
  EXPECT_TRUE(f->notes.empty()) << f->notes[0].location << ": " << f->notes[0].reason;
  EXPECT_TRUE(f->uninspected.empty()) << ListUninspected(*f);
}

TEST(ArchiveScan, NestingIsBounded) {
  testing::TempDir dir;
  const std::string inner = Archive(Kind::kStoredZip, {{"hosts.txt", "http://deep.example.com/"}});
  Write(dir.File("outer.zip"), Archive(Kind::kZip, {{"inner.zip", inner}}));
  BuildAuditOptions options;
  options.max_nesting = 1;
  auto f = ScanBuildTree(dir.path(), AnyKey(), options);
  ASSERT_TRUE(f.ok());
  EXPECT_NE(FindUninspected(*f, "outer.zip!inner.zip", "nested more than 1 deep"), nullptr)
      << ListUninspected(*f);
  // Read as plain bytes instead: the stored member's text is still visible.
  EXPECT_EQ(PlacesOf(*f, "deep.example.com"), std::vector<std::string>{"outer.zip!inner.zip"});
}

TEST(ArchiveScan, MemberSizeIsCappedAndTheReportSaysSo) {
  testing::TempDir dir;
  std::string big(4096, 'x');
  big += " http://late.example.com/ ";
  Write(dir.File("big.zip"),
        Archive(Kind::kZip, {{"blob.txt", big}, {"small.txt", "http://early.example.com/"}}));
  BuildAuditOptions options;
  options.max_member_bytes = 1024;
  auto f = ScanBuildTree(dir.path(), AnyKey(), options);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->hosts.count("early.example.com"));
  EXPECT_FALSE(f->hosts.count("late.example.com"));
  const Uninspected* cut = FindUninspected(*f, "big.zip!blob.txt", "per-member limit");
  ASSERT_NE(cut, nullptr) << ListUninspected(*f);
  EXPECT_EQ(cut->limit, 1024u);
  EXPECT_EQ(cut->offset, 1024u);
  EXPECT_EQ(f->uninspected.size(), 1u) << ListUninspected(*f);
}

TEST(ArchiveScan, DecompressedBytesPerArchiveAreBounded) {
  testing::TempDir dir;
  std::vector<Entry> entries;
  for (int i = 0; i < 10; ++i) {
    entries.push_back({"m" + std::to_string(i),
                       std::string(1000, 'a') + " h" + std::to_string(i) + ".example.com "});
  }
  Write(dir.File("bomb.zip"), Archive(Kind::kZip, entries));
  BuildAuditOptions options;
  options.max_archive_bytes = 3500;
  auto f = ScanBuildTree(dir.path(), AnyKey(), options);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->hosts.count("h0.example.com"));
  EXPECT_FALSE(f->hosts.count("h9.example.com"));
  ASSERT_EQ(f->uninspected.size(), 1u) << ListUninspected(*f);
  const Uninspected& cut = f->uninspected[0];
  EXPECT_TRUE(cut.subject.starts_with("bomb.zip!m")) << cut.subject;
  EXPECT_NE(cut.reason.find("per-archive limit"), std::string::npos) << cut.reason;
  EXPECT_EQ(cut.limit, 3500u);
  EXPECT_LE(f->summary.bytes, 3500u);
}

TEST(ArchiveScan, ADamagedArchiveIsReadAsPlainBytes) {
  testing::TempDir dir;
  Write(dir.File("broken.apk"),
        std::string("PK\x03\x04", 4) + std::string(100, '\x01') + " http://zzhc.vnet.cn/ ");
  auto f = ScanBuildTree(dir.path(), AnyKey());
  ASSERT_TRUE(f.ok());
  EXPECT_NE(FindUninspected(*f, "broken.apk", "not readable as a zip archive"), nullptr)
      << ListUninspected(*f);
  EXPECT_EQ(PlacesOf(*f, "zzhc.vnet.cn"), std::vector<std::string>{"broken.apk"});
}

// A zip whose central directory is damaged: the seekable reader gives up, but every member
// is still behind its local header (Android's tools and a streaming reader read them). The
// garbage where the directory was is named too: a member could hide there.
TEST(ArchiveScan, AZipWithADamagedCentralDirectoryIsReadFromItsLocalHeaders) {
  testing::TempDir dir;
  std::string apk = Archive(Kind::kZip, {{"AndroidManifest.xml", "<manifest/>"},
                                         {"assets/config.json", R"({"u": "http://zzhc.vnet.cn/"})"}});
  const size_t central = apk.find("PK\x01\x02");
  ASSERT_NE(central, std::string::npos);
  for (size_t i = central; i < apk.size(); ++i) apk[i] = '\xA5';  // directory and end record
  Write(dir.File("app.apk"), apk);
  auto f = ScanBuildTree(dir.path(), AnyKey());
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(PlacesOf(*f, "zzhc.vnet.cn"), std::vector<std::string>{"app.apk!assets/config.json"});
  EXPECT_EQ(f->summary.members, 2u);
  ASSERT_EQ(f->uninspected.size(), 1u) << ListUninspected(*f);
  EXPECT_EQ(f->uninspected[0].subject, "app.apk");
  EXPECT_NE(f->uninspected[0].reason.find("a damaged zip archive"), std::string::npos);
  EXPECT_GE(f->uninspected[0].offset, central);
}

// Only the central directory entry is broken (a member's offset points nowhere): the member
// is read from its local header instead, once.
TEST(ArchiveScan, AZipWhoseDirectoryPointsNowhereIsReadFromItsLocalHeaders) {
  testing::TempDir dir;
  std::string apk = Archive(Kind::kStoredZip, {{"a.txt", "http://first.example.com/"},
                                               {"b.txt", "http://zzhc.vnet.cn/"}});
  const size_t second = apk.find("PK\x01\x02", apk.find("PK\x01\x02") + 4);
  ASSERT_NE(second, std::string::npos);
  apk.replace(second + 42, 4, "\xff\xff\xff\x00", 4);  // its local header offset
  Write(dir.File("app.apk"), apk);
  auto f = ScanBuildTree(dir.path(), AnyKey());
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(HasNote(*f, "app.apk", "read from their local headers")) << ListUninspected(*f);
  EXPECT_EQ(PlacesOf(*f, "zzhc.vnet.cn"), std::vector<std::string>{"app.apk!b.txt"});
  EXPECT_EQ(f->hosts.at("first.example.com").total, 1u);
}

TEST(ArchiveScan, AZipNeitherReaderCanReadIsUninspected) {
  testing::TempDir dir;
  std::string zip = Archive(Kind::kZip, {{"secret.txt", std::string(5000, 'z') + " x.example.com"}});
  const size_t data = zip.find("secret.txt") + 10;
  for (size_t i = data; i < zip.size(); ++i) zip[i] = static_cast<char>(i * 7);
  Write(dir.File("fw.zip"), zip);
  auto f = ScanBuildTree(dir.path(), AnyKey());
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->uninspected.empty());
  EXPECT_EQ(f->uninspected[0].subject.rfind("fw.zip", 0), 0u) << ListUninspected(*f);
}

// Bombs: an archive may decompress to max_expansion_ratio times its size (and always to the
// floor), and what is past that is named.
TEST(ArchiveScan, ExpansionPastTheRatioIsUninspected) {
  testing::TempDir dir;
  Write(dir.File("bomb.zip"),
        Archive(Kind::kZip, {{"zeros", std::string(8 << 20, '\0') + " http://late.example.com/"}}));
  BuildAuditOptions options;
  options.max_expansion_ratio = 100;
  options.max_expansion_floor = 1 << 20;
  auto f = ScanBuildTree(dir.path(), AnyKey(), options);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->uninspected.size(), 1u) << ListUninspected(*f);
  EXPECT_EQ(f->uninspected[0].subject, "bomb.zip!zeros");
  EXPECT_NE(f->uninspected[0].reason.find("100 times"), std::string::npos);
  EXPECT_EQ(f->uninspected[0].offset, 1u << 20);
  EXPECT_FALSE(f->hosts.count("late.example.com"));
}

}  // namespace
}  // namespace homeport::audit::build
