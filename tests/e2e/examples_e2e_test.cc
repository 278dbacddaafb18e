// The examples/ the README walks through stay true: the firmware tree its script makes fails
// `audit build` on the 2019 mistake, and the capture its script writes fails `audit capture`
// on every rule the 2019 leak broke.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "e2e_support.h"

namespace homeport::e2e {
namespace {

const std::string kExamples = std::string(HOMEPORT_SOURCE_DIR) + "/examples";

TEST(ExamplesE2E, TheFirmwareTreeShowsTheChinaVariantBuiltIn) {
  testing::TempDir dir;
  ASSERT_EQ(Homeport({"keys", "new", "--out", dir.File("root.key")}).exit_code, 0);
  std::string make = kExamples + "/make-firmware.sh " + HOMEPORT_BIN + " " + dir.File("root.key") +
                     " " + dir.File("firmware") + " >/dev/null";
  ASSERT_EQ(std::system(make.c_str()), 0);
  CommandResult r = Homeport({"audit", "build", dir.File("firmware"), "--root-pub",
                              dir.File("root.key.pub"), "--policy", kExamples + "/policy-sg.json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("2 violations (1 manifest, 1 host)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Activation.apk!assets/config.json"), std::string::npos) << r.out;
}

TEST(ExamplesE2E, TheCaptureShowsThe2019Leak) {
  testing::TempDir dir;
  std::string make = kExamples + "/make-capture.py " + dir.File("leak-2019.pcap");
  ASSERT_EQ(std::system(make.c_str()), 0);
  CommandResult r = Homeport({"audit", "capture", dir.File("leak-2019.pcap"), "--policy",
                              kExamples + "/policy-sg.json", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  for (const char* expected : {"not an allowed host", "is in CN", "unencrypted", "imei", "imsi",
                               "iccid", "mac", "cell_id"}) {
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected;
  }
}

}  // namespace
}  // namespace homeport::e2e
