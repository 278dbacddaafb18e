// Factory batches: N device identities written as one profile per device (secret, 0600) and
// one enrollment.csv (public) for the region's server.
#include "factory/factory_batch.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "common/testing_temp_dir.h"
#include "provisioning/device_profile.h"
#include "testing/env_wrapper.h"

namespace homeport {
namespace {

using testing::FileMode;
using testing::TempDir;

FactoryBatchOptions Options(const std::string& out_dir, int count = 3) {
  FactoryBatchOptions o;
  o.count = count;
  o.model = "HP7";
  o.sku = "HP7-64-BLK";
  o.variant = "global";
  o.region = "sg";
  o.batch = "B2026-11";
  o.client_version = "1.0.0";
  o.out_dir = out_dir;
  return o;
}

// The real Env, except that WriteFileAtomic fails from the `fail_at`-th call on (1-based).
class FailingWriteEnv final : public homeport::testing::EnvWrapper {
 public:
  explicit FailingWriteEnv(int fail_at) : fail_at_(fail_at) {}
  Status WriteFileAtomic(const std::string& p, std::string_view d, unsigned mode) override {
    if (++writes_ >= fail_at_) return Status::IoError("injected: disk full");
    return target()->WriteFileAtomic(p, d, mode);
  }

 private:
  int fail_at_;
  int writes_ = 0;
};

class FactoryBatchTest : public ::testing::Test {
 protected:
  std::string Out() const { return dir_.File("batch"); }
  ParsedEnrollmentCsv ReadCsv() {
    auto text = Env::Default()->ReadFile(Out() + "/enrollment.csv");
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    return ParseEnrollmentCsv(text.ok() ? *text : "");
  }

  TempDir dir_;
  crypto::SecretKey root_ = crypto::SecretKey::Generate();
};
using FactoryBatch = FactoryBatchTest;

TEST_F(FactoryBatch, WritesNProfilesAndAnNRowCsv) {
  auto profiles = MakeFactoryBatch(Options(Out(), 5), root_.Public(), Env::Default());
  ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
  ASSERT_EQ(profiles->size(), 5u);

  auto files = Env::Default()->ListDir(Out() + "/devices");
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 5u);

  ParsedEnrollmentCsv csv = ReadCsv();
  EXPECT_TRUE(csv.problems.empty());
  ASSERT_EQ(csv.records.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(csv.records[i].serial, (*profiles)[i].serial);
}

TEST_F(FactoryBatch, SerialsCountFromOneWithSixDigits) {
  auto profiles = MakeFactoryBatch(Options(Out(), 3), root_.Public(), Env::Default());
  ASSERT_TRUE(profiles.ok());
  EXPECT_EQ((*profiles)[0].serial, "B2026-11-000001");
  EXPECT_EQ((*profiles)[1].serial, "B2026-11-000002");
  EXPECT_EQ((*profiles)[2].serial, "B2026-11-000003");
  for (const auto& p : *profiles) {
    EXPECT_TRUE(Env::Default()->FileExists(Out() + "/devices/" + p.serial + ".json")) << p.serial;
  }
}

TEST_F(FactoryBatch, ProfilesAreSecretFilesAndCsvIsPublic) {
  auto profiles = MakeFactoryBatch(Options(Out(), 3), root_.Public(), Env::Default());
  ASSERT_TRUE(profiles.ok());
  for (const auto& p : *profiles) {
    EXPECT_EQ(FileMode(Out() + "/devices/" + p.serial + ".json"), 0600) << p.serial;
  }
  EXPECT_EQ(FileMode(Out() + "/enrollment.csv"), 0644);
  auto csv_text = Env::Default()->ReadFile(Out() + "/enrollment.csv");
  ASSERT_TRUE(csv_text.ok());
  EXPECT_EQ(csv_text->find("\"d\""), std::string::npos);
}

TEST_F(FactoryBatch, EachProfileKeyMatchesItsCsvRecord) {
  auto profiles = MakeFactoryBatch(Options(Out(), 4), root_.Public(), Env::Default());
  ASSERT_TRUE(profiles.ok());
  ParsedEnrollmentCsv csv = ReadCsv();
  ASSERT_EQ(csv.records.size(), 4u);
  std::set<std::string> keys;
  for (size_t i = 0; i < 4; ++i) {
    const EnrollmentRecord& rec = csv.records[i];
    auto text = Env::Default()->ReadFile(Out() + "/devices/" + rec.serial + ".json");
    ASSERT_TRUE(text.ok()) << rec.serial;
    auto profile = ParseDeviceProfile(*text);
    ASSERT_TRUE(profile.ok()) << profile.status().ToString();
    auto key = DeviceKey(*profile);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->Public(), rec.device_key) << rec.serial;
    // The device can prove it is the enrolled one.
    EXPECT_TRUE(crypto::Verify(rec.device_key, "activation", key->Sign("activation")));
    keys.insert(rec.device_key.ToBase64Url());

    EXPECT_EQ(profile->serial, rec.serial);
    EXPECT_EQ(rec.model, "HP7");
    EXPECT_EQ(rec.sku, "HP7-64-BLK");
    EXPECT_EQ(rec.variant, "global");
    EXPECT_EQ(rec.region, "sg");
    EXPECT_EQ(rec.batch, "B2026-11");
    EXPECT_EQ(profile->model, rec.model);
    EXPECT_EQ(profile->sku, rec.sku);
    EXPECT_EQ(profile->variant, rec.variant);
    EXPECT_EQ(profile->region, rec.region);
    EXPECT_EQ(profile->batch, rec.batch);
    EXPECT_EQ(profile->client_version, "1.0.0");
  }
  EXPECT_EQ(keys.size(), 4u) << "every device has its own key";
}

TEST_F(FactoryBatch, RootPublicKeyIsEmbeddedAndRootSecretIsNot) {
  auto profiles = MakeFactoryBatch(Options(Out(), 2), root_.Public(), Env::Default());
  ASSERT_TRUE(profiles.ok());
  for (const auto& p : *profiles) {
    auto root = RootKey(p);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    EXPECT_EQ(*root, root_.Public());
    auto text = Env::Default()->ReadFile(Out() + "/devices/" + p.serial + ".json");
    ASSERT_TRUE(text.ok());
    auto parsed = ParseDeviceProfile(*text);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*RootKey(*parsed), root_.Public());
    EXPECT_EQ(text->find(crypto::ToJwk(root_)["d"].get<std::string>()), std::string::npos)
        << "the root secret must never be in a device profile";
  }
}

TEST_F(FactoryBatch, ReturnedProfilesEqualTheWrittenFiles) {
  auto profiles = MakeFactoryBatch(Options(Out(), 2), root_.Public(), Env::Default());
  ASSERT_TRUE(profiles.ok());
  for (const auto& p : *profiles) {
    auto text = Env::Default()->ReadFile(Out() + "/devices/" + p.serial + ".json");
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(*text, DeviceProfileToJson(p));
  }
}

TEST_F(FactoryBatch, RefusesAnExistingBatchDirectory) {
  ASSERT_TRUE(MakeFactoryBatch(Options(Out(), 2), root_.Public(), Env::Default()).ok());
  auto first_csv = Env::Default()->ReadFile(Out() + "/enrollment.csv");
  auto first_profile = Env::Default()->ReadFile(Out() + "/devices/B2026-11-000001.json");
  ASSERT_TRUE(first_csv.ok() && first_profile.ok());

  auto again = MakeFactoryBatch(Options(Out(), 2), root_.Public(), Env::Default());
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.status().IsAlreadyExists()) << again.status().ToString();
  // Nothing of the first batch was replaced: its devices stay enrollable.
  EXPECT_EQ(*Env::Default()->ReadFile(Out() + "/enrollment.csv"), *first_csv);
  EXPECT_EQ(*Env::Default()->ReadFile(Out() + "/devices/B2026-11-000001.json"), *first_profile);
}

TEST_F(FactoryBatch, FailedWriteLeavesNoEnrollmentFile) {
  FailingWriteEnv env(/*fail_at=*/3);
  auto r = MakeFactoryBatch(Options(Out(), 5), root_.Public(), &env);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsIoError()) << r.status().ToString();
  EXPECT_FALSE(Env::Default()->FileExists(Out() + "/enrollment.csv"))
      << "an incomplete batch must not look complete";
  // The directory is not a finished batch, so it can be written again.
  auto retry = MakeFactoryBatch(Options(Out(), 5), root_.Public(), Env::Default());
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(ReadCsv().records.size(), 5u);
}

TEST_F(FactoryBatch, FailedCsvWriteFailsTheBatch) {
  FailingWriteEnv env(/*fail_at=*/3);  // two profiles, then the CSV
  auto r = MakeFactoryBatch(Options(Out(), 2), root_.Public(), &env);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(Env::Default()->FileExists(Out() + "/enrollment.csv"));
}

TEST_F(FactoryBatch, CreatesMissingOutputDirectories) {
  auto r = MakeFactoryBatch(Options(dir_.File("a/b/c"), 1), root_.Public(), Env::Default());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(Env::Default()->FileExists(dir_.File("a/b/c/enrollment.csv")));
}

TEST_F(FactoryBatch, LongestBatchIdStillMakesValidSerials) {
  FactoryBatchOptions o = Options(Out(), 1);
  o.batch = std::string(56, 'B');
  auto r = MakeFactoryBatch(o, root_.Public(), Env::Default());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(IsValidIdentifierField((*r)[0].serial)) << (*r)[0].serial;
  ParsedEnrollmentCsv csv = ReadCsv();
  EXPECT_TRUE(csv.problems.empty());
  EXPECT_EQ(csv.records.size(), 1u);
}

TEST(FactoryBatchOptions, ValidOptionsPass) {
  EXPECT_TRUE(ValidateFactoryBatchOptions(Options("/tmp/x", 1)).ok());
  EXPECT_TRUE(ValidateFactoryBatchOptions(Options("/tmp/x", 1000000)).ok());
}

TEST(FactoryBatchOptions, RefusesBadCounts) {
  for (int count : {0, -1, 1000001}) {
    Status st = ValidateFactoryBatchOptions(Options("/tmp/x", count));
    EXPECT_TRUE(st.IsInvalidArgument()) << count;
    EXPECT_NE(st.message().find("--count"), std::string::npos) << st.message();
  }
}

TEST(FactoryBatchOptions, RefusesBadFieldsNamingTheFlag) {
  struct Case {
    void (*mutate)(FactoryBatchOptions&);
    const char* flag;
  };
  const Case cases[] = {
      {[](FactoryBatchOptions& o) { o.model = ""; }, "--model"},
      {[](FactoryBatchOptions& o) { o.model = "HP 7"; }, "--model"},
      {[](FactoryBatchOptions& o) { o.sku = "HP7,64"; }, "--sku"},
      {[](FactoryBatchOptions& o) { o.variant = ""; }, "--variant"},
      {[](FactoryBatchOptions& o) { o.variant = "glob/al"; }, "--variant"},
      {[](FactoryBatchOptions& o) { o.batch = ""; }, "--batch"},
      {[](FactoryBatchOptions& o) { o.batch = std::string(57, 'B'); }, "--batch"},
      {[](FactoryBatchOptions& o) { o.region = "SG"; }, "--region"},
      {[](FactoryBatchOptions& o) { o.region = ""; }, "--region"},
      {[](FactoryBatchOptions& o) { o.out_dir = ""; }, "--out"},
      {[](FactoryBatchOptions& o) { o.client_version = ""; }, "client version"},
  };
  for (const Case& c : cases) {
    FactoryBatchOptions o = Options("/tmp/x");
    c.mutate(o);
    Status st = ValidateFactoryBatchOptions(o);
    EXPECT_TRUE(st.IsInvalidArgument()) << c.flag;
    EXPECT_NE(st.message().find(c.flag), std::string::npos) << st.message();
  }
}

TEST_F(FactoryBatch, InvalidOptionsWriteNothing) {
  FactoryBatchOptions o = Options(Out());
  o.region = "Singapore";
  EXPECT_TRUE(MakeFactoryBatch(o, root_.Public(), Env::Default()).status().IsInvalidArgument());
  EXPECT_FALSE(Env::Default()->FileExists(Out()));
}

}  // namespace
}  // namespace homeport
