// `homeport geo compile`: the compiled ASN table (audit/geo.h) made from the @ip-location-db
// CSV files, so that `audit capture` starts without parsing them; the build and `make install`
// run it. `homeport geo versions`: which geo data an audit would use, and from which files.
#include <cstdio>

#include "audit/geo.h"
#include "command.h"
#include "homeport/env.h"

namespace homeport::cli {
namespace {

struct GeoArgs {
  std::string geo_db;
  std::string out;
};

std::string Folder(const GeoArgs& a) {
  return a.geo_db.empty() ? audit::DefaultGeoDirectory() : a.geo_db;
}

int RunCompile(const GeoArgs& a) {
  const std::string dir = Folder(a);
  auto table = audit::AsnTable::LoadCsvFolder(dir);
  if (!table.ok()) return Fail(table.status());
  const std::string out =
      a.out.empty() ? dir + "/" + std::string(audit::kCompiledAsnFileName) : a.out;
  if (Status st = Env::Default()->WriteFileAtomic(out, table->Compiled(), 0644); !st.ok()) {
    return Fail(st);
  }
  std::printf("%s: %zu ranges, %.1f MB, @ip-location-db/asn %s, CSV sha256 %s\n", out.c_str(),
              table->size(), static_cast<double>(table->Compiled().size()) / 1e6,
              table->DataVersion().empty() ? "(unknown version)" : table->DataVersion().c_str(),
              table->SourceSha256().c_str());
  return 0;
}

int RunVersions(const GeoArgs& a) {
  auto geo = audit::GeoDatabase::Open(Folder(a));
  if (!geo.ok()) return Fail("geo database: " + geo.status().message());
  for (const std::string& w : (*geo)->Warnings()) Warn("warning: " + w);
  if (Status st = (*geo)->AsnStatus(); !st.ok()) Warn("warning: AS numbers unavailable: " + st.message());
  for (const auto& [database, version] : (*geo)->Versions()) {
    std::printf("%s: %s\n", database.c_str(), version.c_str());
  }
  std::printf("asn read from: %s\n", (*geo)->AsnOrigin().c_str());
  return 0;
}

}  // namespace

void AddGeoCommands(CLI::App& app, Commands& commands) {
  auto args = std::make_shared<GeoArgs>();
  CLI::App* geo = app.add_subcommand("geo", "the verifier's IP-to-country and IP-to-ASN data");
  geo->require_subcommand(1);
  const std::string folder_help =
      "folder with the @ip-location-db files (default: $HOMEPORT_GEO_DB, else the installed or "
      "built data)";
  CLI::App* compile = geo->add_subcommand(
      "compile", "write the compiled ASN table (homeport-asn.bin) that audits map instead of "
                 "parsing the CSV files");
  compile->add_option("--geo-db", args->geo_db, folder_help);
  compile->add_option("--out", args->out, "where to write it (default: homeport-asn.bin in the folder)");
  compile->callback([args, &commands] { commands.run = [args] { return RunCompile(*args); }; });
  CLI::App* versions = geo->add_subcommand(
      "versions", "the versions of the geo data an audit would use, and where the ASN table is read from");
  versions->add_option("--geo-db", args->geo_db, folder_help);
  versions->callback([args, &commands] { commands.run = [args] { return RunVersions(*args); }; });
}

}  // namespace homeport::cli
