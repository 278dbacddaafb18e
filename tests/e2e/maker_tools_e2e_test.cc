// Maker and operator tooling through the real binary: keys, manifests, factory, enroll,
// rollout.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

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
  EXPECT_FALSE(std::filesystem::exists(region.dir.File("fresh.db")));  // nothing imported

  // A whole file of another region: one summary naming the region found, not a line per row.
  CommandResult whole = Homeport({"enroll", "--store", store, "--region", "cn",
                                  region.batch_dir + "/enrollment.csv"});
  EXPECT_EQ(whole.exit_code, 1);
  EXPECT_NE(whole.err.find("1 serial (first B1-000001, line 2) belongs to region \"sg\", not "
                           "\"cn\""),
            std::string::npos)
      << whole.err;
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

std::vector<std::string> SignArgs(const Region& region, const std::string& out,
                                  std::vector<std::string> more) {
  std::vector<std::string> args = {"manifest", "sign",    "--root-key", region.root_key,
                                   "--region", "sg",      "--variant",  "global",
                                   "--version", "1",      "--out",      out};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(MakerTools, ManifestSignRefusesAMalformedPinAndVerifyShowsAGoodOne) {
  Region region(1);
  const std::string urls[] = {"--activation-url", "https://act.sg.example.com", "--uxp-url",
                              "https://uxp.sg.example.com"};
  std::vector<std::string> base(std::begin(urls), std::end(urls));
  for (const char* bad : {"garbage", "sha256//AAAA", "sha1//2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
                          "sha256//not base64 at all!!!!!!!!!!!!!!!!!!!!!"}) {
    auto args = base;
    args.insert(args.end(), {"--tls-pin", bad});
    CommandResult r = Homeport(SignArgs(region, region.dir.File("bad.jws"), args));
    EXPECT_NE(r.exit_code, 0) << bad;
    EXPECT_NE(r.err.find("TLS pin"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(region.dir.File("bad.jws")));
  }
  const std::string pin = "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  auto args = base;
  args.insert(args.end(), {"--tls-pin", pin});
  CommandResult ok = Homeport(SignArgs(region, region.dir.File("good.jws"), args));
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  CommandResult shown =
      Homeport({"manifest", "verify", "--root-pub", region.root_pub, region.dir.File("good.jws")});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(nlohmann::json::parse(shown.out)["tls_pins"], nlohmann::json({pin}));
}

TEST(MakerTools, ManifestSignTakesAnActivationEndpointGivenInFullAsItsBaseUrl) {
  Region region(1);
  CommandResult r = Homeport(SignArgs(
      region, region.dir.File("m.jws"),
      {"--activation-url", "https://act.sg.example.com/v1/activations/", "--uxp-url",
       "https://uxp.sg.example.com/"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("base URL https://act.sg.example.com"), std::string::npos) << r.out;
  CommandResult shown =
      Homeport({"manifest", "verify", "--root-pub", region.root_pub, region.dir.File("m.jws")});
  auto j = nlohmann::json::parse(shown.out);
  EXPECT_EQ(j["activation_url"], "https://act.sg.example.com");
  EXPECT_EQ(j["uxp_url"], "https://uxp.sg.example.com");
}

TEST(MakerTools, FactoryBatchNeedsOnlyTheRootPublicKey) {
  testing::TempDir dir;
  ASSERT_EQ(Homeport({"keys", "new", "--out", dir.File("root.key")}).exit_code, 0);
  std::filesystem::rename(dir.File("root.key"), dir.File("offline.key"));  // the secret is away
  CommandResult r = Homeport({"factory", "batch", "--root-pub", dir.File("root.key.pub"),
                              "--count", "2", "--model", "HP7", "--sku", "HP7-64", "--variant",
                              "global", "--region", "sg", "--batch", "B9", "--out",
                              dir.File("batch")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto profile = nlohmann::json::parse(std::ifstream(dir.File("batch/devices/B9-000001.json")));
  auto pub = nlohmann::json::parse(std::ifstream(dir.File("root.key.pub")));
  EXPECT_EQ(profile["root_public_key"], pub) << profile.dump();
  CommandResult neither = Homeport({"factory", "batch", "--count", "2", "--model", "HP7", "--sku",
                                    "HP7-64", "--variant", "global", "--region", "sg", "--batch",
                                    "B8", "--out", dir.File("b8")});
  EXPECT_NE(neither.exit_code, 0);
  EXPECT_NE(neither.err.find("--root-pub"), std::string::npos) << neither.err;
}

TEST(MakerTools, ReadOnlyCommandsRefuseAStoreThatDoesNotExistAndCreateNothing) {
  testing::TempDir dir;
  const std::string typo = dir.File("sg.dbb");
  const std::string url = "sqlite:" + typo;
  const std::vector<std::vector<std::string>> commands = {
      {"warranty", "B1-000001", "--store", url},
      {"rollout", "--store", url},
      {"stats", "--store", url},
      {"uxp", "export", "0f8fad5b-d9cb-469f-a165-70867728950e", "--store", url},
      {"retention", "run", "--store", url}};
  for (const auto& args : commands) {
    CommandResult r = Homeport(args);
    EXPECT_NE(r.exit_code, 0) << args[0];
    EXPECT_NE(r.err.find("no store at " + typo), std::string::npos) << args[0] << ": " << r.err;
    EXPECT_FALSE(std::filesystem::exists(typo)) << args[0] << " created the store";
  }
}

TEST(MakerTools, UxpExportRefusesAClientIdThatIsNotAUuid) {
  Region region(1);
  CommandResult r = Homeport({"uxp", "export", "not-a-uuid", "--store", region.store_url});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("not a Glean client_id"), std::string::npos) << r.err;
}

TEST(MakerTools, AnUnknownFlagIsNamedWithTheNearestOne) {
  CommandResult r = Homeport({"rollout", "--stor", "sqlite:x.db"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("unknown flag --stor for `homeport rollout`; did you mean --store?"),
            std::string::npos)
      << r.err;
}

TEST(MakerTools, AJsonSyntaxErrorIsShownWithItsLineAndColumn) {
  testing::TempDir dir;
  std::ofstream(dir.File("policy.json")) << "{\n  \"region\": \"sg\",\n  \"allow_hosts\": [\"a\",]\n}\n";
  std::ofstream(dir.File("empty")) << "";
  ASSERT_EQ(Homeport({"keys", "new", "--out", dir.File("root.key")}).exit_code, 0);
  CommandResult r = Homeport({"audit", "build", "--policy", dir.File("policy.json"), "--root-pub",
                              dir.File("root.key.pub"), dir.File("empty")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("not valid JSON: at line 3, column"), std::string::npos) << r.err;
}

TEST(MakerTools, VersionNamesTheSourceCommit) {
  CommandResult r = Homeport({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex(R"(^homeport \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-modified)?|unknown)\))")))
      << r.out;
}

}  // namespace
}  // namespace homeport::e2e
