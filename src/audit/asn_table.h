// The IP-to-AS-number table of the verifier's geo data (audit/geo.h), from the
// @ip-location-db/asn CSV files or from their compiled form.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "audit/capture/ip_address.h"
#include "homeport/status.h"

namespace homeport::audit {

// IP ranges to AS numbers, read from the @ip-location-db/asn "-num" CSV files ("start,end,
// asn,organization" rows, inclusive ranges, addresses as decimal integers) or from their
// compiled form: one flat, versioned image of sorted range arrays and interned organization
// names (docs/verifier.md, "The compiled ASN table"), which `homeport geo compile` writes and
// MapCompiled memory-maps, so that an audit starts without parsing 30 MB of CSV. Both ways
// give the same image; Find is a binary search in it. A compiled file is hostile input: every
// offset, count, index and order is checked before the table is used, and its SHA-256 too.
class AsnTable {
 public:
  // Parses the IPv4 and IPv6 files' contents; a malformed row is an error naming its line.
  // `data_version` (the package's version, e.g. "2.3.2026061719") is kept in the image.
  static Result<AsnTable> Parse(std::string_view ipv4_csv, std::string_view ipv6_csv,
                                std::string_view data_version = {});
  static Result<AsnTable> Load(const std::string& ipv4_path, const std::string& ipv6_path,
                               std::string_view data_version = {});
  // The CSV files of a geo data folder (see GeoDatabase::Open), with the version its
  // asn/package.json (or asn-package.json) states.
  static Result<AsnTable> LoadCsvFolder(const std::string& dir);
  // A compiled image held in memory, or memory-mapped from a file; Corruption when it is not
  // a complete, consistent image of this format version.
  static Result<AsnTable> FromCompiled(std::string image);
  static Result<AsnTable> MapCompiled(const std::string& path);

  struct Entry {
    uint32_t asn = 0;
    std::string_view organization;  // valid while the table lives
  };
  // The range holding `address`, if any (asn 0 otherwise).
  Entry Find(const capture::IpAddress& address) const;
  size_t size() const { return v4_count_ + v6_count_; }

  // The compiled image: written to a file, MapCompiled reads the same table back.
  std::string_view Compiled() const;
  // Lower-case hex SHA-256 of the IPv4 CSV's bytes followed by the IPv6 CSV's.
  std::string SourceSha256() const;
  // The CSV files' sizes when the image was made (a compiled table made from other files is
  // stale), and the data version given to Parse ("" when none was).
  uint64_t SourceIpv4Size() const;
  uint64_t SourceIpv6Size() const;
  std::string DataVersion() const;

  struct Image;  // the bytes and what owns them (a string or a mapping)

 private:
  static Result<AsnTable> Validate(std::shared_ptr<const Image> image);
  std::shared_ptr<const Image> image_;
  const uint8_t* v4_ = nullptr;       // v4_count_ records of 16 bytes
  const uint8_t* v6_ = nullptr;       // v6_count_ records of 40 bytes
  const uint8_t* offsets_ = nullptr;  // org_count_ + 1 little-endian uint32 offsets into names_
  const char* names_ = nullptr;
  uint64_t v4_count_ = 0, v6_count_ = 0, org_count_ = 0;
};

// The file name of the compiled ASN table in a geo data folder.
inline constexpr std::string_view kCompiledAsnFileName = "homeport-asn.bin";

// Where a geo data folder keeps the ASN files: in the package's folder (node_modules layout)
// or directly in it (installed layout). Each path is the first candidate that exists, or the
// first candidate when none does.
struct AsnFiles {
  std::string ipv4_csv, ipv6_csv;  // asn-ipv4-num.csv, asn-ipv6-num.csv
  std::string package_json;        // asn/package.json or asn-package.json
  std::string compiled;            // homeport-asn.bin
};
AsnFiles FindAsnFiles(const std::string& dir);

// The "version" of an npm package.json, or "" (a missing or odd file only loses the version).
std::string AsnPackageVersion(const std::string& package_json_path);

}  // namespace homeport::audit
