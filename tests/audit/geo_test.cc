// The geo module against the real @ip-location-db data the project installs (npm), and the ASN
// table's parser against a small table.
#include "audit/geo.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "capture_test_support.h"

namespace homeport::audit {
namespace {

using capture::IpAddress;

TEST(AsnTable, FindsRangesByBinarySearch) {
  auto t = AsnTable::Parse(
      "16777216,16777471,13335,\"Cloudflare, Inc.\"\n"
      "134744064,134744319,15169,Google LLC\n",
      "42541956101370907050197289607612071936,"
      "42541956180599069564461627201156022271,15169,Google LLC\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->Find(*IpAddress::Parse("1.0.0.1")).asn, 13335u);
  EXPECT_EQ(*t->Find(*IpAddress::Parse("1.0.0.1")).organization, "Cloudflare, Inc.");
  EXPECT_EQ(t->Find(*IpAddress::Parse("8.8.8.8")).asn, 15169u);
  EXPECT_EQ(t->Find(*IpAddress::Parse("8.8.9.1")).asn, 0u);
  EXPECT_EQ(t->Find(*IpAddress::Parse("2001:4860::8888")).asn, 15169u);
  EXPECT_EQ(t->Find(*IpAddress::Parse("2001:4861::1")).asn, 0u);
  EXPECT_FALSE(AsnTable::Parse("1,2\n", "").ok());
}

class RealGeoDatabase : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = DefaultGeoDirectory();
    if (!std::filesystem::exists(dir)) {
      GTEST_SKIP() << "no geo data at " << dir << ": run scripts/install-deps.sh (npm install)";
    }
    auto db = GeoDatabase::Open(dir);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
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
}

TEST(GeoDatabase, SaysWhatIsMissing) {
  auto db = GeoDatabase::Open("/nonexistent");
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("/nonexistent"), std::string::npos);
}

}  // namespace
}  // namespace homeport::audit
