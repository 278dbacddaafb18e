// Device profiles: the per-device JSON file flashed at the factory, holding the device's own
// secret key and the maker root key.
#include "provisioning/device_profile.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace homeport {
namespace {

using nlohmann::json;

DeviceProfile MakeProfile(const crypto::SecretKey& device, const crypto::SecretKey& root) {
  DeviceProfile p;
  p.serial = "B2026-11-000001";
  p.model = "HP7";
  p.sku = "HP7-64-BLK";
  p.variant = "global";
  p.region = "sg";
  p.batch = "B2026-11";
  p.client_version = "1.2.3";
  p.device_key_jwk = crypto::ToJwk(device).dump();
  p.root_public_jwk = crypto::ToJwk(root.Public()).dump();
  return p;
}

class DeviceProfileTest : public ::testing::Test {
 protected:
  crypto::SecretKey device_ = crypto::SecretKey::Generate();
  crypto::SecretKey root_ = crypto::SecretKey::Generate();
  DeviceProfile profile_ = MakeProfile(device_, root_);
};
using DeviceProfileJson = DeviceProfileTest;

TEST_F(DeviceProfileJson, RoundTrips) {
  std::string text = DeviceProfileToJson(profile_);
  auto p = ParseDeviceProfile(text);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->serial, profile_.serial);
  EXPECT_EQ(p->model, profile_.model);
  EXPECT_EQ(p->sku, profile_.sku);
  EXPECT_EQ(p->variant, profile_.variant);
  EXPECT_EQ(p->region, profile_.region);
  EXPECT_EQ(p->batch, profile_.batch);
  EXPECT_EQ(p->client_version, profile_.client_version);
  EXPECT_EQ(json::parse(p->device_key_jwk), json::parse(profile_.device_key_jwk));
  EXPECT_EQ(json::parse(p->root_public_jwk), json::parse(profile_.root_public_jwk));
  EXPECT_EQ(DeviceProfileToJson(*p), text);
}

TEST_F(DeviceProfileJson, KeysAreEmbeddedAsJwkObjects) {
  json j = json::parse(DeviceProfileToJson(profile_));
  ASSERT_TRUE(j["device_key"].is_object());
  EXPECT_EQ(j["device_key"]["kty"], "OKP");
  EXPECT_TRUE(j["device_key"].contains("d"));
  ASSERT_TRUE(j["root_public_key"].is_object());
  EXPECT_EQ(j["root_public_key"]["x"], root_.Public().ToBase64Url());
  EXPECT_FALSE(j["root_public_key"].contains("d")) << "the root secret never goes on a device";
}

TEST_F(DeviceProfileJson, KeysComeBackUsable) {
  auto p = ParseDeviceProfile(DeviceProfileToJson(profile_));
  ASSERT_TRUE(p.ok());
  auto dk = DeviceKey(*p);
  ASSERT_TRUE(dk.ok()) << dk.status().ToString();
  EXPECT_EQ(dk->bytes, device_.bytes);
  auto rk = RootKey(*p);
  ASSERT_TRUE(rk.ok()) << rk.status().ToString();
  EXPECT_EQ(*rk, root_.Public());
}

TEST_F(DeviceProfileJson, ParseRefusesMalformedProfiles) {
  json good = json::parse(DeviceProfileToJson(profile_));
  std::vector<std::string> bad = {"", "not json", "[]", "\"profile\"", "{}"};
  for (const char* field : {"serial", "model", "sku", "variant", "region", "batch",
                            "client_version", "device_key", "root_public_key"}) {
    json missing = good;
    missing.erase(field);
    bad.push_back(missing.dump());
  }
  json number_serial = good;
  number_serial["serial"] = 12345;
  bad.push_back(number_serial.dump());
  json bad_region = good;
  bad_region["region"] = "Singapore";
  bad.push_back(bad_region.dump());
  for (const std::string& text : bad) {
    Result<DeviceProfile> p = Status::Internal("not run");
    EXPECT_NO_THROW(p = ParseDeviceProfile(text)) << text;
    EXPECT_FALSE(p.ok()) << "accepted " << text;
    if (!p.ok()) {
      EXPECT_TRUE(p.status().IsInvalidArgument()) << p.status().ToString();
    }
  }
}

TEST_F(DeviceProfileJson, BadRegionIsNamed) {
  json j = json::parse(DeviceProfileToJson(profile_));
  j["region"] = "Singapore";
  auto p = ParseDeviceProfile(j.dump());
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("Singapore"), std::string::npos);
}

TEST_F(DeviceProfileJson, KeyAccessorsRefuseWrongKeys) {
  DeviceProfile public_only = profile_;
  public_only.device_key_jwk = crypto::ToJwk(device_.Public()).dump();
  EXPECT_FALSE(DeviceKey(public_only).ok()) << "a device key without \"d\" cannot sign";

  DeviceProfile garbage = profile_;
  garbage.device_key_jwk = "{not json";
  garbage.root_public_jwk = "[]";
  EXPECT_FALSE(DeviceKey(garbage).ok());
  EXPECT_FALSE(RootKey(garbage).ok());
}

TEST(DeviceProfileJsonEdge, ProfileWithoutKeysSerializesWithoutThrowing) {
  DeviceProfile p;
  p.serial = "S1";
  p.region = "sg";
  std::string text;
  EXPECT_NO_THROW(text = DeviceProfileToJson(p));
  auto back = ParseDeviceProfile(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_FALSE(DeviceKey(*back).ok());
  EXPECT_FALSE(RootKey(*back).ok());
}

TEST(IdentifierField, AcceptsOnlyTheDocumentedAlphabet) {
  EXPECT_TRUE(IsValidIdentifierField("B2026-11_rev.2"));
  EXPECT_TRUE(IsValidIdentifierField(std::string(64, 'a')));
  EXPECT_FALSE(IsValidIdentifierField(std::string(65, 'a')));
  for (const char* bad : {"", "a b", "a,b", "a/b", "a\"b", "a\nb", "caf\xc3\xa9", "a;b"}) {
    EXPECT_FALSE(IsValidIdentifierField(bad)) << bad;
  }
}

}  // namespace
}  // namespace homeport
