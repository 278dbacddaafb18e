// The geo module against the real @ip-location-db data the project installs (npm), the ASN
// table's parser against a small table, and its compiled form: the same answers as the CSV,
// and every damaged or hostile file refused rather than read.
#include "audit/geo.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/sha256_hasher.h"
#include "capture_test_support.h"
#include "common/testing_temp_dir.h"

namespace homeport::audit {
namespace {

using capture::IpAddress;

constexpr std::string_view kV4 =
    "16777216,16777471,13335,\"Cloudflare, Inc.\"\n"
    "134744064,134744319,15169,Google LLC\n"
    "3405803776,3405804031,7473,Singapore Telecommunications Ltd\n";
constexpr std::string_view kV6 =
    "42541956101370907050197289607612071936,"
    "42541956180599069564461627201156022271,15169,Google LLC\n";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteAll(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Little-endian fields of the compiled header (geo.cc documents the layout).
void Poke32(std::string& image, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) image[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}
void Poke64(std::string& image, size_t at, uint64_t v) {
  Poke32(image, at, static_cast<uint32_t>(v));
  Poke32(image, at + 4, static_cast<uint32_t>(v >> 32));
}
// Recomputes the image's checksum, as an attacker who edits the file would.
void Reseal(std::string& image) {
  image.replace(104, 32, 32, '\0');
  Sha256Hasher h;
  h.Update(image);
  const std::string hex = h.FinishHex();
  for (size_t i = 0; i < 32; ++i) {
    image[104 + i] = static_cast<char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }
}

TEST(AsnTable, FindsRangesByBinarySearch) {
  auto t = AsnTable::Parse(kV4, kV6);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->Find(*IpAddress::Parse("1.0.0.1")).asn, 13335u);
  EXPECT_EQ(t->Find(*IpAddress::Parse("1.0.0.1")).organization, "Cloudflare, Inc.");
  EXPECT_EQ(t->Find(*IpAddress::Parse("8.8.8.8")).asn, 15169u);
  EXPECT_EQ(t->Find(*IpAddress::Parse("8.8.9.1")).asn, 0u);
  EXPECT_EQ(t->Find(*IpAddress::Parse("0.0.0.1")).asn, 0u);
  EXPECT_EQ(t->Find(*IpAddress::Parse("255.255.255.255")).asn, 0u);
  EXPECT_EQ(t->Find(*IpAddress::Parse("2001:4860::8888")).asn, 15169u);
  EXPECT_EQ(t->Find(*IpAddress::Parse("2001:4861::1")).asn, 0u);
  EXPECT_EQ(t->Find(*IpAddress::Parse("::1")).asn, 0u);
  EXPECT_FALSE(AsnTable::Parse("1,2\n", "").ok());
  EXPECT_FALSE(AsnTable::Parse("5,4,1,backwards\n", "").ok());
}

TEST(AsnTable, CompiledTableGivesTheSameAnswersFromMemoryAndFromAFile) {
  auto parsed = AsnTable::Parse(kV4, kV6, "2.3.2026061719");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  testing::TempDir dir;
  const std::string path = dir.File(std::string(kCompiledAsnFileName));
  WriteAll(path, parsed->Compiled());
  auto in_memory = AsnTable::FromCompiled(std::string(parsed->Compiled()));
  auto mapped = AsnTable::MapCompiled(path);
  ASSERT_TRUE(in_memory.ok()) << in_memory.status().ToString();
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  for (const char* address : {"1.0.0.1", "1.0.0.0", "1.0.0.255", "1.0.1.0", "8.8.8.8", "203.0.113.9",
                              "203.0.112.1", "2001:4860::8888", "2001:4861::1", "::"}) {
    const auto want = parsed->Find(*IpAddress::Parse(address));
    for (const AsnTable* t : {&*in_memory, &*mapped}) {
      const auto got = t->Find(*IpAddress::Parse(address));
      EXPECT_EQ(got.asn, want.asn) << address;
      EXPECT_EQ(got.organization, want.organization) << address;
    }
  }
  EXPECT_EQ(mapped->size(), 4u);
  EXPECT_EQ(mapped->DataVersion(), "2.3.2026061719");
  EXPECT_EQ(mapped->SourceIpv4Size(), kV4.size());
  EXPECT_EQ(mapped->SourceIpv6Size(), kV6.size());
  Sha256Hasher h;
  h.Update(kV4);
  h.Update(kV6);
  EXPECT_EQ(mapped->SourceSha256(), h.FinishHex());
}

TEST(AsnTable, DamagedOrHostileCompiledTablesAreRefused) {
  auto parsed = AsnTable::Parse(kV4, kV6, "2.3.2026061719");
  ASSERT_TRUE(parsed.ok());
  const std::string good(parsed->Compiled());
  ASSERT_TRUE(AsnTable::FromCompiled(good).ok());

  // Every truncation, from empty to one byte short.
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(AsnTable::FromCompiled(good.substr(0, n)).ok()) << "cut at " << n;
  }
  EXPECT_FALSE(AsnTable::FromCompiled(good + "x").ok());
  // Every flipped bit, anywhere, breaks the checksum (or a field checked before it).
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x10);
    EXPECT_FALSE(AsnTable::FromCompiled(bad).ok()) << "bit flipped at " << i;
  }
  auto refused = [](std::string image, const std::string& why) {
    auto t = AsnTable::FromCompiled(std::move(image));
    EXPECT_FALSE(t.ok()) << why;
    return t.ok() ? std::string() : t.status().message();
  };
  {
    std::string bad = good;
    Poke32(bad, 8, 2);
    EXPECT_NE(refused(bad, "newer format").find("format version 2"), std::string::npos);
  }
  {
    std::string bad = good;
    Poke64(bad, 24, uint64_t{1} << 62);  // a count that would overflow the size arithmetic
    refused(bad, "huge count");
  }
  // Files whose checksum an attacker recomputed: the structure is still checked.
  {
    std::string bad = good;
    Poke32(bad, 160 + 12, 99);  // the first IPv4 range names organization 99 of 3
    Reseal(bad);
    refused(bad, "organization index out of range");
  }
  {
    std::string bad = good;
    Poke32(bad, 160, 0xF0000000);  // the first IPv4 range now starts after the second
    Poke32(bad, 164, 0xF0000001);
    Reseal(bad);
    refused(bad, "unsorted ranges");
  }
  {
    std::string bad = good;
    Poke32(bad, 160 + 4, 1);  // end before start
    Reseal(bad);
    refused(bad, "range ending before it starts");
  }
  {
    std::string bad = good;
    const size_t offsets = 160 + 3 * 16 + 1 * 40;
    Poke32(bad, offsets + 4, 1000);  // an organization name running past the names
    Reseal(bad);
    refused(bad, "organization offset past the end");
  }
  {
    std::string bad = good;
    bad[140] = '\x01';
    Reseal(bad);
    refused(bad, "unprintable version");
  }
  testing::TempDir dir;
  WriteAll(dir.File("short.bin"), good.substr(0, 100));
  auto mapped = AsnTable::MapCompiled(dir.File("short.bin"));
  ASSERT_FALSE(mapped.ok());
  EXPECT_NE(mapped.status().message().find("short.bin"), std::string::npos);
  EXPECT_FALSE(AsnTable::MapCompiled(dir.path()).ok());  // a directory
  EXPECT_FALSE(AsnTable::MapCompiled(dir.File("missing.bin")).ok());
}

class RealGeoDatabase : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = DefaultGeoDirectory();
    if (!std::filesystem::exists(dir_)) {
      GTEST_SKIP() << "no geo data at " << dir_ << ": run scripts/install-deps.sh (npm install)";
    }
    auto db = GeoDatabase::Open(dir_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  std::string File(const std::string& package, const std::string& name) const {
    for (const std::string& p : {dir_ + "/" + package + "/" + name, dir_ + "/" + name}) {
      if (std::filesystem::exists(p)) return p;
    }
    return {};
  }
  std::string dir_;
  std::unique_ptr<GeoDatabase> db_;
};

TEST_F(RealGeoDatabase, PlacesWellKnownAddresses) {
  GeoInfo google = db_->Lookup(*IpAddress::Parse("8.8.8.8"));
  EXPECT_EQ(google.country, "US");
  EXPECT_EQ(google.asn, 15169u);
  // The addresses the capture tests use, checked here against the real data.
  GeoInfo china = db_->Lookup(*IpAddress::Parse(testing::kChinaTelecom));
  EXPECT_EQ(china.country, "CN");
  EXPECT_EQ(china.asn, 137702u);
  EXPECT_NE(china.as_organization.find("China Telecom"), std::string::npos);
  EXPECT_EQ(db_->Lookup(*IpAddress::Parse(testing::kSingTel)).country, "SG");
  EXPECT_EQ(db_->Lookup(*IpAddress::Parse("2001:4860:4860::8888")).country, "US");
  GeoInfo lan = db_->Lookup(*IpAddress::Parse("192.168.1.1"));
  EXPECT_EQ(lan.country, "");
  EXPECT_EQ(lan.asn, 0u);
  EXPECT_TRUE(db_->Warnings().empty());
}

TEST_F(RealGeoDatabase, NamesTheVersionsOfItsData) {
  const auto versions = db_->Versions();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].first, "country");
  EXPECT_NE(versions[0].second.find("geo-whois-asn-country"), std::string::npos)
      << versions[0].second;
  EXPECT_NE(versions[0].second.find(", built 20"), std::string::npos) << versions[0].second;
  EXPECT_EQ(versions[1].first, "asn");
  EXPECT_TRUE(versions[1].second.starts_with("@ip-location-db/asn 2.")) << versions[1].second;
  EXPECT_NE(versions[1].second.find(", sha256 "), std::string::npos) << versions[1].second;
  EXPECT_EQ(versions[1].second.size() - versions[1].second.rfind(' ') - 1, 64u);
}

// The real tables compiled and mapped answer every range's first and last address, and the
// address after it, exactly as the CSV parse does.
TEST_F(RealGeoDatabase, CompiledRealTableEqualsTheCsv) {
  const std::string v4 = File("asn", "asn-ipv4-num.csv"), v6 = File("asn", "asn-ipv6-num.csv");
  ASSERT_FALSE(v4.empty());
  auto csv = AsnTable::Load(v4, v6, "test");
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  testing::TempDir dir;
  WriteAll(dir.File("t.bin"), csv->Compiled());
  auto mapped = AsnTable::MapCompiled(dir.File("t.bin"));
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  EXPECT_EQ(mapped->size(), csv->size());
  size_t checked = 0, found = 0;
  std::istringstream rows(ReadAll(v4));
  std::string row;
  for (size_t i = 0; std::getline(rows, row); ++i) {
    if (i % 7 != 0) continue;  // a sample keeps the test quick; every seventh range
    const uint32_t start = static_cast<uint32_t>(std::stoul(row.substr(0, row.find(','))));
    for (uint32_t ip : {start, start + 1, start - 1}) {
      IpAddress a;
      a.version = 4;
      a.bytes = {static_cast<uint8_t>(ip >> 24), static_cast<uint8_t>(ip >> 16),
                 static_cast<uint8_t>(ip >> 8), static_cast<uint8_t>(ip)};
      const auto want = csv->Find(a), got = mapped->Find(a);
      ASSERT_EQ(got.asn, want.asn) << row;
      ASSERT_EQ(got.organization, want.organization) << row;
      found += want.asn != 0;
      ++checked;
    }
  }
  EXPECT_GT(checked, 100000u);
  EXPECT_GT(found, checked / 2);
  for (const char* a : {"2001:4860:4860::8888", "2400:cb00::1", "2a00:1450::1", "fe80::1"}) {
    EXPECT_EQ(mapped->Find(*IpAddress::Parse(a)).asn, csv->Find(*IpAddress::Parse(a)).asn) << a;
  }
}

// A geo folder of the real country database and the small CSV tables above.
class SmallGeoFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string mmdb = DefaultGeoDirectory() + "/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb";
    const std::string flat = DefaultGeoDirectory() + "/geo-whois-asn-country.mmdb";
    const std::string found = std::filesystem::exists(mmdb) ? mmdb : flat;
    if (!std::filesystem::exists(found)) GTEST_SKIP() << "no country database";
    std::filesystem::copy_file(found, dir_.File("geo-whois-asn-country.mmdb"));
    WriteAll(dir_.File("asn-ipv4-num.csv"), kV4);
    WriteAll(dir_.File("asn-ipv6-num.csv"), kV6);
    WriteAll(dir_.File("asn-package.json"), R"({"name":"@ip-location-db/asn","version":"9.9.1"})");
  }
  std::unique_ptr<GeoDatabase> Open() {
    auto db = GeoDatabase::Open(dir_.path());
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  std::string Compiled() const { return dir_.File(std::string(kCompiledAsnFileName)); }
  testing::TempDir dir_;
};

TEST_F(SmallGeoFolder, UsesAValidCompiledTable) {
  auto t = AsnTable::Parse(kV4, kV6, "9.9.1");
  ASSERT_TRUE(t.ok());
  WriteAll(Compiled(), t->Compiled());
  auto db = Open();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->Lookup(*IpAddress::Parse("8.8.8.8")).asn, 15169u);
  EXPECT_EQ(db->AsnOrigin(), Compiled());
  EXPECT_TRUE(db->Warnings().empty());
  EXPECT_NE(db->Versions().at(1).second.find("asn 9.9.1, sha256 "), std::string::npos);
}

TEST_F(SmallGeoFolder, WithoutCompiledTableReadsTheCsvSilently) {
  auto db = Open();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->Lookup(*IpAddress::Parse("1.0.0.1")).asn, 13335u);
  EXPECT_EQ(db->AsnOrigin(), dir_.File("asn-ipv4-num.csv"));
  EXPECT_TRUE(db->Warnings().empty());
  EXPECT_NE(db->Versions().at(1).second.find("asn 9.9.1, sha256 "), std::string::npos);
}

TEST_F(SmallGeoFolder, ADamagedCompiledTableIsAWarningAndTheCsvAnswers) {
  auto t = AsnTable::Parse(kV4, kV6, "9.9.1");
  ASSERT_TRUE(t.ok());
  std::string bad(t->Compiled());
  bad[bad.size() - 3] ^= 0x01;
  WriteAll(Compiled(), bad);
  auto db = Open();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->Lookup(*IpAddress::Parse("8.8.8.8")).asn, 15169u);
  ASSERT_EQ(db->Warnings().size(), 1u);
  EXPECT_NE(db->Warnings()[0].find("damaged"), std::string::npos) << db->Warnings()[0];
  EXPECT_NE(db->Warnings()[0].find("homeport geo compile"), std::string::npos);
  EXPECT_EQ(db->AsnOrigin(), dir_.File("asn-ipv4-num.csv"));
}

TEST_F(SmallGeoFolder, AStaleCompiledTableIsAWarningAndTheCsvAnswers) {
  // Made from an older table, without the Singapore range the CSV now has.
  auto old = AsnTable::Parse(kV4.substr(0, kV4.rfind("3405803776")), kV6, "9.9.0");
  ASSERT_TRUE(old.ok());
  WriteAll(Compiled(), old->Compiled());
  auto db = Open();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->Lookup(*IpAddress::Parse("203.0.113.9")).asn, 7473u);
  ASSERT_EQ(db->Warnings().size(), 1u);
  EXPECT_NE(db->Warnings()[0].find("made from other ASN data (version 9.9.0)"), std::string::npos)
      << db->Warnings()[0];
}

TEST_F(SmallGeoFolder, ACompiledTableAloneIsEnough) {
  auto t = AsnTable::Parse(kV4, kV6, "9.9.1");
  ASSERT_TRUE(t.ok());
  WriteAll(Compiled(), t->Compiled());
  std::filesystem::remove(dir_.File("asn-ipv4-num.csv"));
  std::filesystem::remove(dir_.File("asn-ipv6-num.csv"));
  auto db = Open();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->Lookup(*IpAddress::Parse("2001:4860::8888")).asn, 15169u);
  EXPECT_TRUE(db->Warnings().empty());
  // …unless it is damaged: then nothing can answer, and AsnStatus says why.
  std::string bad(t->Compiled());
  WriteAll(Compiled(), bad.substr(0, bad.size() - 1));
  auto broken = Open();
  ASSERT_NE(broken, nullptr);
  EXPECT_FALSE(broken->AsnStatus().ok());
  EXPECT_NE(broken->AsnStatus().message().find("no ASN CSV files"), std::string::npos);
}

TEST(GeoDatabase, SaysWhatIsMissing) {
  auto db = GeoDatabase::Open("/nonexistent");
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("/nonexistent"), std::string::npos);
}

}  // namespace
}  // namespace homeport::audit
