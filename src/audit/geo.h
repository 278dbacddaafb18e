// Where an IP address is: its country (from a MaxMind-format database through libmaxminddb)
// and its autonomous system (from an ASN range table). The data comes from the
// @ip-location-db npm packages the project installs (see docs/verifier.md for sources and
// licences). GeoLookup is the seam: the analysis takes any implementation, so tests can use a
// fixed table. Implementations are immutable after loading and safe to share across threads.
#pragma once

#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <string>
#include <vector>

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
};

// IP ranges to AS numbers: "start,end,asn,organization" rows with inclusive ranges, addresses
// as decimal integers (the @ip-location-db/asn "-num" CSV files). Sorted once; Find is a
// binary search.
class AsnTable {
 public:
  // Parses the IPv4 and IPv6 files' contents; a malformed row is an error naming its line.
  static Result<AsnTable> Parse(std::string_view ipv4_csv, std::string_view ipv6_csv);
  static Result<AsnTable> Load(const std::string& ipv4_path, const std::string& ipv6_path);

  struct Entry {
    uint32_t asn = 0;
    const std::string* organization = nullptr;
  };
  // The range holding `address`, if any (asn 0 otherwise).
  Entry Find(const capture::IpAddress& address) const;
  size_t size() const { return v4_.size() + v6_.size(); }

 private:
  struct Range4 {
    uint32_t start, end, asn, organization;
  };
  struct Range6 {
    uint64_t start_hi, start_lo, end_hi, end_lo;
    uint32_t asn, organization;
  };
  std::vector<Range4> v4_;
  std::vector<Range6> v6_;
  std::deque<std::string> organizations_;  // a deque: Entry points into it
};

// The country database (libmaxminddb) and the ASN table together.
class GeoDatabase : public GeoLookup {
 public:
  // `dir` holds the packages' files, either directly or in their package folders
  // (geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb, asn/asn-ipv4-num.csv,
  // asn/asn-ipv6-num.csv), as node_modules/@ip-location-db does.
  // The ASN table (about 30 MB of CSV) is parsed on a background thread, so that work
  // overlaps reading the capture; the first Lookup waits for it.
  static Result<std::unique_ptr<GeoDatabase>> Open(const std::string& dir);
  ~GeoDatabase() override;

  GeoInfo Lookup(const capture::IpAddress& address) const override;
  // Waits for the ASN table; not ok when it could not be read (lookups then have no ASN).
  Status AsnStatus() const;

 private:
  struct Mmdb;
  GeoDatabase() = default;
  const AsnTable* Asn() const;
  std::unique_ptr<Mmdb> mmdb_;
  std::shared_future<Result<AsnTable>> asn_;
};

// Where the data is when --geo-db is not given: $HOMEPORT_GEO_DB; else, for an installed
// binary, PREFIX/share/homeport/geo beside its bin/; for a program of the build directory, the
// source tree's node_modules/@ip-location-db (the project's scripts install it there).
std::string DefaultGeoDirectory();

}  // namespace homeport::audit
