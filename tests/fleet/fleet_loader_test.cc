// Loading a fleet: the batch as the factory wrote it, and rule D1 applied to every device.
#include "fleet/fleet_loader.h"

#include <gtest/gtest.h>

#include "fleet_test_support.h"

namespace homeport::fleet {
namespace {

using fleet_testing::TestBatch;

TEST(FleetLoader, LoadsTheFirstDevicesOfTheBatch) {
  TestBatch batch(5);
  auto fleet = LoadFleet(batch.Options(3, batch.Manifest("sg")));
  ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
  ASSERT_EQ(fleet->devices.size(), 3u);
  EXPECT_EQ(fleet->devices[0].profile.serial, "B1-000001");
  EXPECT_EQ(fleet->devices[2].profile.serial, "B1-000003");
  EXPECT_EQ(fleet->manifest.region, "sg");
  // The key is held parsed; its text is not kept around.
  EXPECT_TRUE(fleet->devices[0].profile.device_key_jwk.empty());
}

TEST(FleetLoader, RefusesAManifestOfAnotherRegionNamingBoth) {
  TestBatch batch(2);
  auto fleet = LoadFleet(batch.Options(2, batch.Manifest("cn")));
  ASSERT_FALSE(fleet.ok());
  EXPECT_TRUE(fleet.status().IsPermissionDenied()) << fleet.status().ToString();
  EXPECT_NE(fleet.status().message().find("\"cn\""), std::string::npos);
  EXPECT_NE(fleet.status().message().find("\"sg\""), std::string::npos);
}

TEST(FleetLoader, RefusesAManifestSignedByAnotherKey) {
  TestBatch batch(2);
  crypto::SecretKey stranger = crypto::SecretKey::Generate();
  auto fleet = LoadFleet(batch.Options(2, batch.Manifest("sg", "http://127.0.0.1:9", &stranger)));
  ASSERT_FALSE(fleet.ok());
  EXPECT_TRUE(fleet.status().IsPermissionDenied()) << fleet.status().ToString();
  EXPECT_NE(fleet.status().message().find("refusing to send anything"), std::string::npos);
}

TEST(FleetLoader, RefusesMoreDevicesThanTheBatchHas) {
  TestBatch batch(2);
  auto fleet = LoadFleet(batch.Options(3, batch.Manifest("sg")));
  ASSERT_FALSE(fleet.ok());
  EXPECT_NE(fleet.status().message().find("--devices 3"), std::string::npos)
      << fleet.status().ToString();
  EXPECT_NE(fleet.status().message().find("(2)"), std::string::npos);
}

TEST(FleetLoader, NamesAMissingBatchDirectory) {
  TestBatch batch(1);
  FleetOptions o = batch.Options(1, batch.Manifest("sg"));
  o.batch_dir = batch.dir.File("no-such-batch");
  auto fleet = LoadFleet(o);
  ASSERT_FALSE(fleet.ok());
  EXPECT_TRUE(fleet.status().IsNotFound());
  EXPECT_NE(fleet.status().message().find("no-such-batch"), std::string::npos);
}

TEST(FleetLoader, RefusesADirectoryWithoutEnrollmentCsv) {
  TestBatch batch(1);
  FleetOptions o = batch.Options(1, batch.Manifest("sg"));
  o.batch_dir = batch.dir.path();
  auto fleet = LoadFleet(o);
  ASSERT_FALSE(fleet.ok());
  EXPECT_NE(fleet.status().message().find("homeport factory batch"), std::string::npos)
      << fleet.status().ToString();
}

TEST(FleetLoader, RefusesAProfileThatDoesNotMatchItsEnrollmentRow) {
  TestBatch batch(2);
  // Device 2's profile replaced by device 1's: its key is not the one enrolled for B1-000002.
  Env* env = Env::Default();
  auto first = env->ReadFile(batch.batch_dir + "/devices/B1-000001.json");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(env->WriteFileAtomic(batch.batch_dir + "/devices/B1-000002.json", *first).ok());
  auto fleet = LoadFleet(batch.Options(2, batch.Manifest("sg")));
  ASSERT_FALSE(fleet.ok());
  EXPECT_NE(fleet.status().message().find("does not match"), std::string::npos)
      << fleet.status().ToString();
}

}  // namespace
}  // namespace homeport::fleet
