// Maker and operator tooling through the real binary: keys, manifests, factory, enroll,
// rollout.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e_support.h"

namespace homeport::e2e {
namespace {

TEST(MakerTools, KeysNewWritesSecretWith0600AndPublicKey) {
  testing::TempDir dir;
  CommandResult r = Homeport({"keys", "new", "--out", dir.File("root.key")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::FileMode(dir.File("root.key")), 0600);
  auto pub = nlohmann::json::parse(std::ifstream(dir.File("root.key.pub")));
  EXPECT_EQ(pub["kty"], "OKP");
  EXPECT_EQ(pub["crv"], "Ed25519");
  EXPECT_FALSE(pub.contains("d"));
  EXPECT_NE(Homeport({"keys", "new", "--out", dir.File("root.key")}).exit_code, 0);  // no overwrite
}

TEST(MakerTools, ManifestSignThenVerify) {
  Region region(1);
  std::string m = region.Manifest("sg", "https://act.sg.example.com", 3, "global,global-lite");
  CommandResult ok = Homeport({"manifest", "verify", "--root-pub", region.root_pub, m});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  auto j = nlohmann::json::parse(ok.out);
  EXPECT_EQ(j["region"], "sg");
  EXPECT_EQ(j["version"], 3);
  EXPECT_EQ(j["variants"], nlohmann::json({"global", "global-lite"}));

  CommandResult other = Homeport({"keys", "new", "--out", region.dir.File("other.key")});
  ASSERT_EQ(other.exit_code, 0);
  CommandResult bad =
      Homeport({"manifest", "verify", "--root-pub", region.dir.File("other.key.pub"), m});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("does not verify"), std::string::npos) << bad.err;
}

TEST(MakerTools, FactoryBatchWritesProfilesAndEnrollmentCsv) {
  Region region(4);
  EXPECT_TRUE(std::filesystem::exists(region.Profile(4)));
  EXPECT_EQ(testing::FileMode(region.Profile(1)), 0600);
  std::ifstream csv(region.batch_dir + "/enrollment.csv");
  std::string line;
  int lines = 0;
  while (std::getline(csv, line)) {
    ++lines;
    EXPECT_EQ(line.find("\"d\""), std::string::npos);  // public data only
  }
  EXPECT_EQ(lines, 5);
}

TEST(MakerTools, EnrollRefusesOtherRegionRowsAndImportsNothing) {
  Region region(1);
  std::string csv = region.dir.File("mixed.csv");
  {
    std::ifstream in(region.batch_dir + "/enrollment.csv");
    std::ofstream out(csv);
    std::string header, row;
    std::getline(in, header);
    std::getline(in, row);
    out << header << "\n";
    std::string sg2 = row, cn = row;
    sg2.replace(0, 9, "B2-000001");
    cn.replace(0, 9, "B2-000002");
    cn.replace(cn.find(",sg,"), 4, ",cn,");
    out << sg2 << "\n" << cn << "\n";
  }
  std::string store = "sqlite:" + region.dir.File("fresh.db");
  CommandResult r = Homeport({"enroll", "--store", store, "--region", "sg", csv});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(":3:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("B2-000002"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"cn\""), std::string::npos) << r.err;
  CommandResult rollout = Homeport({"rollout", "--store", store, "--json"});
  ASSERT_EQ(rollout.exit_code, 0) << rollout.err;
  EXPECT_TRUE(nlohmann::json::parse(rollout.out)["batches"].empty());  // nothing imported
}

TEST(MakerTools, EnrollReportsMalformedRowsWithLineNumbers) {
  Region region(1);
  std::string csv = region.dir.File("bad.csv");
  std::ofstream(csv) << "serial,model,sku,variant,region,batch,public_key\n"
                     << "X-1,HP7,HP7-64,global,sg,B9\n"
                     << "\n"
                     << "X-2,HP7,HP7-64,global,sg,B9,not-a-key\n";
  CommandResult r = Homeport({"enroll", "--store", region.store_url, "--region", "sg", csv});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.csv:2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bad.csv:4:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was imported"), std::string::npos) << r.err;
}

TEST(MakerTools, WarrantyOfUnknownSerialExits1) {
  Region region(1);
  CommandResult r = Homeport({"warranty", "NOPE-1", "--store", region.store_url});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("NOPE-1"), std::string::npos);
}

}  // namespace
}  // namespace homeport::e2e
