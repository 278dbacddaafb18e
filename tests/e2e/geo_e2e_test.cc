// `homeport geo compile` and `homeport geo versions` as an operator runs them on a geo folder
// laid out as `make install` lays it out, and what `audit capture` does when the compiled ASN
// table beside the CSV files is damaged: it says so and still answers, from the CSV files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../audit/capture_scenes.h"
#include "e2e_support.h"

namespace homeport::e2e {
namespace {

using ::testing::HasSubstr;

TEST(GeoE2e, AuditsReadTheCompiledTableAndWarnWhenItIsDamaged) {
  const std::string npm = std::string(HOMEPORT_SOURCE_DIR) + "/node_modules/@ip-location-db";
  if (!std::filesystem::exists(npm + "/asn/asn-ipv4-num.csv")) {
    GTEST_SKIP() << "no geo data in " << npm << ": run scripts/install-deps.sh";
  }
  testing::TempDir dir;
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb", "geo-whois-asn-country.mmdb"},
           {"asn/asn-ipv4-num.csv", "asn-ipv4-num.csv"},
           {"asn/asn-ipv6-num.csv", "asn-ipv6-num.csv"},
           {"asn/package.json", "asn-package.json"}}) {
    std::filesystem::create_symlink(npm + "/" + from, dir.File(to));
  }
  const std::string table = dir.File("homeport-asn.bin");

  CommandResult compile = Homeport({"geo", "compile", "--geo-db", dir.path()});
  ASSERT_EQ(compile.exit_code, 0) << compile.err;
  EXPECT_THAT(compile.out, HasSubstr(table + ": "));
  ASSERT_TRUE(std::filesystem::exists(table));

  CommandResult versions = Homeport({"geo", "versions", "--geo-db", dir.path()});
  ASSERT_EQ(versions.exit_code, 0) << versions.err;
  EXPECT_EQ(versions.err, "");
  EXPECT_THAT(versions.out, HasSubstr("country: geo-whois-asn-country.mmdb, "));
  EXPECT_THAT(versions.out, HasSubstr("asn: @ip-location-db/asn 2."));
  EXPECT_THAT(versions.out, HasSubstr("asn read from: " + table));

  // One byte changed in the middle of the table: refused, with a warning, and the CSV answers.
  {
    std::fstream f(table, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(table) / 2));
    f.put('\x5A');
  }
  versions = Homeport({"geo", "versions", "--geo-db", dir.path()});
  ASSERT_EQ(versions.exit_code, 0) << versions.err;
  EXPECT_THAT(versions.err, HasSubstr("warning: " + table));
  EXPECT_THAT(versions.err, HasSubstr("damaged"));
  EXPECT_THAT(versions.out, HasSubstr("asn read from: " + dir.File("asn-ipv4-num.csv")));

  testing::CaptureWriter w;
  testing::Write2019Leak(w, {});
  const std::string pcap = dir.File("leak.pcap"), policy = dir.File("sg.json");
  testing::CaptureWriter::Write(pcap, w.Pcap());
  testing::CaptureWriter::Write(policy, testing::kSgPolicy);
  CommandResult audit =
      Homeport({"audit", "capture", pcap, "--policy", policy, "--json", "--geo-db", dir.path()});
  ASSERT_EQ(audit.exit_code, 1) << audit.err;
  EXPECT_THAT(audit.err, HasSubstr("homeport-asn.bin"));
  EXPECT_THAT(audit.err, HasSubstr("read the CSV files instead"));
  const auto j = nlohmann::json::parse(audit.out);
  EXPECT_EQ(j["destinations"][0]["addresses"][0]["asn"], 137702);  // China Telecom, from the CSV
}

TEST(GeoE2e, CompileSaysWhatIsMissing) {
  testing::TempDir dir;
  CommandResult r = Homeport({"geo", "compile", "--geo-db", dir.path()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("asn-ipv4-num.csv"));
}

}  // namespace
}  // namespace homeport::e2e
