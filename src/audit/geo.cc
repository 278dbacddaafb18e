// libmaxminddb is C: every call's error code is turned into a Status here. The ASN table
// (audit/asn_table.h) is loaded on a background thread: mapped from its compiled form when
// that is valid and current, else parsed from the CSV files.
#include "audit/geo.h"

#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>

namespace homeport::audit {
namespace {

using capture::IpAddress;

std::string UtcTime(uint64_t epoch) {
  const auto t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "an unknown time";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool IsFile(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

std::string FirstExisting(const std::vector<std::string>& candidates) {
  for (const auto& c : candidates) {
    if (IsFile(c)) return c;
  }
  return candidates.front();
}

uint64_t FileSize(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

}  // namespace

struct GeoDatabase::AsnLoad {
  Result<AsnTable> table = Status::NotFound("not loaded");
  std::string origin;
  std::vector<std::string> warnings;
};

struct GeoDatabase::Mmdb {
  MMDB_s db{};
  std::string file_name;  // e.g. geo-whois-asn-country.mmdb
  bool open = false;  // MMDB_open cleans up after itself on failure: close only what opened
  ~Mmdb() {
    if (open) MMDB_close(&db);
  }
};

GeoDatabase::~GeoDatabase() {
  if (asn_.valid()) asn_.wait();  // the loading thread may still be running
}

Result<std::unique_ptr<GeoDatabase>> GeoDatabase::Open(const std::string& dir) {
  const std::string mmdb_path =
      FirstExisting({dir + "/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb",
                     dir + "/geo-whois-asn-country.mmdb"});
  const AsnFiles files = FindAsnFiles(dir);
  const std::string v4_path = files.ipv4_csv, v6_path = files.ipv6_csv;
  const std::string compiled_path = files.compiled, package = files.package_json;
  std::unique_ptr<GeoDatabase> g(new GeoDatabase());
  g->mmdb_ = std::make_unique<Mmdb>();
  const int rc = MMDB_open(mmdb_path.c_str(), MMDB_MODE_MMAP, &g->mmdb_->db);
  if (rc != MMDB_SUCCESS) return Status::NotFound(mmdb_path + ": " + MMDB_strerror(rc));
  g->mmdb_->open = true;
  g->mmdb_->file_name = std::filesystem::path(mmdb_path).filename().string();
  const bool have_csv = IsFile(v4_path) && IsFile(v6_path);
  const bool have_compiled = IsFile(compiled_path);
  if (!have_csv && !have_compiled) {
    return Status::NotFound((IsFile(v4_path) ? v6_path : v4_path) +
                            ": the ASN table is missing");
  }
  g->asn_ =
      std::async(std::launch::async, [=]() -> std::shared_ptr<const AsnLoad> {
        auto load = std::make_shared<AsnLoad>();
        const std::string version = AsnPackageVersion(package);
        if (have_compiled) {
          auto compiled = AsnTable::MapCompiled(compiled_path);
          std::string problem;
          if (!compiled.ok()) {
            problem = compiled.status().message();
          } else if (have_csv && (compiled->SourceIpv4Size() != FileSize(v4_path) ||
                                  compiled->SourceIpv6Size() != FileSize(v6_path) ||
                                  (!version.empty() && compiled->DataVersion() != version))) {
            problem = compiled_path + ": made from other ASN data (" +
                      (compiled->DataVersion().empty() ? "no version"
                                                       : "version " + compiled->DataVersion()) +
                      ") than the CSV files beside it (" +
                      (version.empty() ? "no version" : "version " + version) + ")";
          }
          if (problem.empty()) {
            load->table = std::move(compiled);
            load->origin = compiled_path;
            return load;
          }
          if (!have_csv) {
            load->table = Status::Corruption(problem + "; and no ASN CSV files to read instead");
            load->origin = compiled_path;
            return load;
          }
          load->warnings.push_back(problem + "; read the CSV files instead (slower; `homeport "
                                   "geo compile` makes the table again)");
        }
        load->table = AsnTable::Load(v4_path, v6_path, version);
        load->origin = v4_path;
        return load;
      }).share();
  return g;
}

GeoInfo GeoDatabase::Lookup(const IpAddress& address) const {
  GeoInfo info;
  // The registries' data places private and special ranges somewhere arbitrary: they have no
  // country.
  if (capture::ScopeOf(address) != capture::AddressScope::kPublic) return info;
  {
    sockaddr_storage ss{};
    if (address.version == 4) {
      auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
      sin->sin_family = AF_INET;
      std::memcpy(&sin->sin_addr, address.bytes.data(), 4);
    } else {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
      sin6->sin6_family = AF_INET6;
      std::memcpy(&sin6->sin6_addr, address.bytes.data(), 16);
    }
    int error = MMDB_SUCCESS;
    MMDB_lookup_result_s r =
        MMDB_lookup_sockaddr(&mmdb_->db, reinterpret_cast<const sockaddr*>(&ss), &error);
    if (error == MMDB_SUCCESS && r.found_entry) {
      MMDB_entry_data_s data{};
      if (MMDB_get_value(&r.entry, &data, "country_code", nullptr) == MMDB_SUCCESS &&
          data.has_data && data.type == MMDB_DATA_TYPE_UTF8_STRING) {
        info.country.assign(data.utf8_string, data.data_size);
      }
    }
  }
  if (const AsnTable* asn = Asn()) {
    const AsnTable::Entry e = asn->Find(address);
    info.asn = e.asn;
    info.as_organization = e.organization;
  }
  return info;
}

const AsnTable* GeoDatabase::Asn() const {
  const Result<AsnTable>& table = asn_.get()->table;
  return table.ok() ? &table.value() : nullptr;
}

Status GeoDatabase::AsnStatus() const { return asn_.get()->table.status(); }

std::vector<std::string> GeoDatabase::Warnings() const { return asn_.get()->warnings; }

std::string GeoDatabase::AsnOrigin() const { return asn_.get()->origin; }

std::vector<std::pair<std::string, std::string>> GeoDatabase::Versions() const {
  std::vector<std::pair<std::string, std::string>> out;
  const MMDB_metadata_s& m = mmdb_->db.metadata;
  std::string country = mmdb_->file_name + ", ";
  country += m.database_type != nullptr ? m.database_type : "unknown database type";
  country += ", built " + UtcTime(m.build_epoch);
  const char* description = nullptr;
  for (size_t i = 0; i < m.description.count; ++i) {
    const MMDB_description_s* d = m.description.descriptions[i];
    if (d == nullptr || d->description == nullptr) continue;
    if (description == nullptr || (d->language != nullptr && std::strcmp(d->language, "en") == 0)) {
      description = d->description;
    }
  }
  if (description != nullptr && *description != '\0') country += ", " + std::string(description);
  out.emplace_back("country", std::move(country));
  if (const AsnTable* asn = Asn()) {
    const std::string version = asn->DataVersion();
    out.emplace_back("asn", "@ip-location-db/asn " +
                                (version.empty() ? "unknown version" : version) + ", sha256 " +
                                asn->SourceSha256());
  }
  return out;
}

std::string DefaultGeoDirectory() {
  if (const char* env = std::getenv("HOMEPORT_GEO_DB"); env != nullptr && *env != '\0') return env;
  // An installed binary (bin/homeport) finds the data beside it, in share/homeport/geo, wherever
  // the tree was installed; programs of a build directory use the build's geo folder when the
  // build compiled the ASN table there, else the source tree's npm packages.
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || exe.string().starts_with(HOMEPORT_BINARY_DIR "/")) {
    const std::string built = std::string(HOMEPORT_BINARY_DIR) + "/geo";
    if (IsFile(built + "/" + std::string(kCompiledAsnFileName))) return built;
    return std::string(HOMEPORT_SOURCE_DIR) + "/node_modules/@ip-location-db";
  }
  return (exe.parent_path().parent_path() / "share/homeport/geo").string();
}

}  // namespace homeport::audit
