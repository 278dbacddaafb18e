// Where an IP address is: its country (from a MaxMind-format database through libmaxminddb)
// and its autonomous system (from an ASN range table). The data comes from the
// @ip-location-db npm packages the project installs (see docs/verifier.md for sources and
// licences). GeoLookup is the seam: the analysis takes any implementation, so tests can use a
// fixed table. Implementations are immutable after loading and safe to share across threads.
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/asn_table.h"
#include "audit/capture/ip_address.h"
#include "homeport/status.h"

namespace homeport::audit {

struct GeoInfo {
  std::string country;  // ISO 3166-1 alpha-2, upper case; empty when unknown
  uint32_t asn = 0;     // 0 when unknown
  std::string as_organization;
};

class GeoLookup {
 public:
  virtual ~GeoLookup() = default;
  virtual GeoInfo Lookup(const capture::IpAddress& address) const = 0;
  // Which data answers, for a report's provenance: (database, version) pairs, "country" then
  // "asn", each version as the data states it (see GeoDatabase::Versions). Empty when the
  // implementation has no versioned data (a test's fixed table).
  virtual std::vector<std::pair<std::string, std::string>> Versions() const { return {}; }
};

// The country database (libmaxminddb) and the ASN table together.
class GeoDatabase : public GeoLookup {
 public:
  // `dir` holds the packages' files, either directly or in their package folders
  // (geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb, asn/asn-ipv4-num.csv,
  // asn/asn-ipv6-num.csv, asn/package.json), as node_modules/@ip-location-db does, and
  // optionally the compiled ASN table (homeport-asn.bin). The country database is
  // memory-mapped. The ASN table is read on a background thread, so that work overlaps reading
  // the capture (the first Lookup waits for it): from the compiled table when there is one
  // that is valid and made from the CSV files beside it (same sizes, same package version);
  // otherwise — a damaged or stale compiled table is a warning (Warnings) — from the CSV files.
  static Result<std::unique_ptr<GeoDatabase>> Open(const std::string& dir);
  ~GeoDatabase() override;

  GeoInfo Lookup(const capture::IpAddress& address) const override;
  // Waits for the ASN table; not ok when it could not be read (lookups then have no ASN).
  Status AsnStatus() const;
  // Waits for the ASN table; why the compiled table was not used, if it was not.
  std::vector<std::string> Warnings() const;
  // Waits for the ASN table; the file it was read from (the compiled table or the IPv4 CSV).
  std::string AsnOrigin() const;
  // ("country", "<mmdb file name>, <its database type>, built <UTC time of its build epoch>[,
  // <its description>]", e.g. "geo-whois-asn-country.mmdb, country ipvAll, built
  // 2026-06-17T19:51:40Z")
  // and ("asn", "@ip-location-db/asn <package version or 'unknown version'>, sha256 <hex of the
  // IPv4 CSV followed by the IPv6 CSV>"); the ASN pair waits for the table and is left out when
  // it could not be read. Text from the data files: escape it when rendering.
  std::vector<std::pair<std::string, std::string>> Versions() const override;

 private:
  struct Mmdb;
  struct AsnLoad;
  GeoDatabase() = default;
  const AsnTable* Asn() const;
  std::unique_ptr<Mmdb> mmdb_;
  std::shared_future<std::shared_ptr<const AsnLoad>> asn_;
};

// Where the data is when --geo-db is not given: $HOMEPORT_GEO_DB; else, for an installed
// binary, PREFIX/share/homeport/geo beside its bin/; for a program of the build directory, the
// build's geo folder when the build made the compiled ASN table (links to the npm files and
// the table), else the source tree's node_modules/@ip-location-db (the project's scripts
// install it there).
std::string DefaultGeoDirectory();

}  // namespace homeport::audit
