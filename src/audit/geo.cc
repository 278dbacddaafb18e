// libmaxminddb is C: every call's error code is turned into a Status here. The ASN files are
// read whole (about 30 MB) and parsed with from_chars; IPv6 bounds are 128-bit decimals kept
// as two 64-bit halves.
#include "audit/geo.h"

#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory_resource>
#include <unordered_map>

namespace homeport::audit {
namespace {

using capture::IpAddress;

struct U128 {
  uint64_t hi = 0, lo = 0;
};

bool operator<(const U128& a, const U128& b) { return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo; }

// Decimal text to 128 bits: nine digits at a time (they fit 32 bits), then v = v * 10^n + chunk
// on 32-bit limbs so the products fit in 64 bits. (Digit by digit, this was half of the whole
// table's parse time: IPv6 bounds are 39 digits long.)
bool ParseU128(std::string_view s, U128* out) {
  if (s.empty() || s.size() > 39) return false;
  uint64_t limbs[4] = {0, 0, 0, 0};  // least significant first
  while (!s.empty()) {
    const size_t n = std::min<size_t>(s.size(), 9);
    uint64_t chunk = 0, scale = 1;
    for (size_t i = 0; i < n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      chunk = chunk * 10 + static_cast<uint64_t>(s[i] - '0');
      scale *= 10;
    }
    s.remove_prefix(n);
    uint64_t carry = chunk;
    for (uint64_t& limb : limbs) {
      const uint64_t x = limb * scale + carry;
      limb = x & 0xFFFFFFFFu;
      carry = x >> 32;
    }
    if (carry != 0) return false;
  }
  out->lo = limbs[0] | (limbs[1] << 32);
  out->hi = limbs[2] | (limbs[3] << 32);
  return true;
}

U128 FromAddress(const IpAddress& a) {
  U128 v;
  for (int i = 0; i < 8; ++i) v.hi = (v.hi << 8) | a.bytes[i];
  for (int i = 8; i < 16; ++i) v.lo = (v.lo << 8) | a.bytes[i];
  return v;
}

// Splits one CSV row of four fields. The last (organization) may be quoted with "" escapes;
// only then is it copied (into `unquoted`): most rows' names are used where they lie.
bool SplitRow(std::string_view line, std::string_view fields[3], std::string_view* organization,
              std::string* unquoted) {
  for (int i = 0; i < 3; ++i) {
    const size_t comma = line.find(',');
    if (comma == std::string_view::npos) return false;
    fields[i] = line.substr(0, comma);
    line.remove_prefix(comma + 1);
  }
  if (line.empty() || line.front() != '"') {
    *organization = line;
    return true;
  }
  unquoted->clear();
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '"') {
      if (i + 1 < line.size() && line[i + 1] == '"') {
        unquoted->push_back('"');
        ++i;
      } else {
        break;
      }
    } else {
      unquoted->push_back(line[i]);
    }
  }
  *organization = *unquoted;
  return true;
}

// The leading digits of `s`, as the table has always been read.
bool ParseU32(std::string_view s, uint32_t* out) {
  return std::from_chars(s.data(), s.data() + s.size(), *out).ec == std::errc();
}

// A whole file, read at once into memory that is not cleared first (the ASN tables are tens of
// MB; a stream would copy them twice).
struct FileText {
  std::unique_ptr<char[]> bytes;
  size_t size = 0;
  std::string_view view() const { return {bytes.get(), size}; }
};

Result<FileText> ReadFile(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  struct stat st {};
  if (!f || fstat(fileno(f.get()), &st) != 0) return Status::NotFound(path + ": cannot read");
  FileText text;
  text.bytes = std::make_unique_for_overwrite<char[]>(static_cast<size_t>(st.st_size));
  text.size = std::fread(text.bytes.get(), 1, static_cast<size_t>(st.st_size), f.get());
  if (std::ferror(f.get())) return Status::NotFound(path + ": cannot read");
  return text;
}

std::string FirstExisting(const std::vector<std::string>& candidates) {
  for (const auto& c : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(c, ec)) return c;
  }
  return candidates.front();
}

}  // namespace

Result<AsnTable> AsnTable::Parse(std::string_view ipv4_csv, std::string_view ipv6_csv) {
  AsnTable t;
  // Every organization is stored once. An AS keeps its name from row to row, so most rows find
  // theirs by number without hashing the name (which is still compared). The maps' nodes come
  // from one arena, freed at once: allocating and freeing them one by one cost as much as the
  // lookups.
  std::pmr::monotonic_buffer_resource arena;
  std::pmr::unordered_map<std::string_view, uint32_t> by_name(&arena);  // views into organizations_
  std::pmr::unordered_map<uint32_t, uint32_t> by_asn(&arena);
  by_name.reserve(1 << 17);  // the real tables name about 80,000 organizations
  by_asn.reserve(1 << 17);
  auto intern = [&](uint32_t asn, std::string_view name) {
    auto known = by_asn.find(asn);
    if (known != by_asn.end() && t.organizations_[known->second] == name) return known->second;
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      const auto index = static_cast<uint32_t>(t.organizations_.size());
      it = by_name.emplace(t.organizations_.emplace_back(name), index).first;
    }
    by_asn[asn] = it->second;
    return it->second;
  };
  std::string unquoted;
  for (int version : {4, 6}) {
    std::string_view text = version == 4 ? ipv4_csv : ipv6_csv;
    size_t line_number = 0;
    while (!text.empty()) {
      const size_t eol = text.find('\n');
      std::string_view line = text.substr(0, eol);
      text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      std::string_view f[3];
      std::string_view organization;
      uint32_t asn = 0;
      bool ok = SplitRow(line, f, &organization, &unquoted) && ParseU32(f[2], &asn);
      if (ok && version == 4) {
        uint32_t start = 0, end = 0;
        ok = ParseU32(f[0], &start) && ParseU32(f[1], &end);
        if (ok) t.v4_.push_back({start, end, asn, intern(asn, organization)});
      } else if (ok) {
        U128 start, end;
        ok = ParseU128(f[0], &start) && ParseU128(f[1], &end);
        if (ok) {
          t.v6_.push_back({start.hi, start.lo, end.hi, end.lo, asn, intern(asn, organization)});
        }
      }
      if (!ok) {
        return Status::Corruption("IPv" + std::to_string(version) + " ASN table, line " +
                                  std::to_string(line_number) + ": expected start,end,asn,org");
      }
    }
  }
  // The packages' files are in address order already; checking is linear, sorting is not.
  const auto by_start4 = [](const Range4& a, const Range4& b) { return a.start < b.start; };
  const auto by_start6 = [](const Range6& a, const Range6& b) {
    return U128{a.start_hi, a.start_lo} < U128{b.start_hi, b.start_lo};
  };
  if (!std::is_sorted(t.v4_.begin(), t.v4_.end(), by_start4)) {
    std::sort(t.v4_.begin(), t.v4_.end(), by_start4);
  }
  if (!std::is_sorted(t.v6_.begin(), t.v6_.end(), by_start6)) {
    std::sort(t.v6_.begin(), t.v6_.end(), by_start6);
  }
  return t;
}

Result<AsnTable> AsnTable::Load(const std::string& ipv4_path, const std::string& ipv6_path) {
  HOMEPORT_ASSIGN_OR_RETURN(FileText v4, ReadFile(ipv4_path));
  HOMEPORT_ASSIGN_OR_RETURN(FileText v6, ReadFile(ipv6_path));
  return Parse(v4.view(), v6.view());
}

AsnTable::Entry AsnTable::Find(const IpAddress& a) const {
  if (a.version == 4) {
    const uint32_t ip = (uint32_t{a.bytes[0]} << 24) | (uint32_t{a.bytes[1]} << 16) |
                        (uint32_t{a.bytes[2]} << 8) | a.bytes[3];
    auto it = std::upper_bound(v4_.begin(), v4_.end(), ip,
                               [](uint32_t v, const Range4& r) { return v < r.start; });
    if (it == v4_.begin()) return {};
    --it;
    if (ip > it->end) return {};
    return {it->asn, &organizations_[it->organization]};
  }
  if (a.version == 6) {
    const U128 ip = FromAddress(a);
    auto it = std::upper_bound(v6_.begin(), v6_.end(), ip, [](const U128& v, const Range6& r) {
      return v < U128{r.start_hi, r.start_lo};
    });
    if (it == v6_.begin()) return {};
    --it;
    if (U128{it->end_hi, it->end_lo} < ip) return {};
    return {it->asn, &organizations_[it->organization]};
  }
  return {};
}

struct GeoDatabase::Mmdb {
  MMDB_s db{};
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
  const std::string v4_path =
      FirstExisting({dir + "/asn/asn-ipv4-num.csv", dir + "/asn-ipv4-num.csv"});
  const std::string v6_path =
      FirstExisting({dir + "/asn/asn-ipv6-num.csv", dir + "/asn-ipv6-num.csv"});
  std::unique_ptr<GeoDatabase> g(new GeoDatabase());
  g->mmdb_ = std::make_unique<Mmdb>();
  const int rc = MMDB_open(mmdb_path.c_str(), MMDB_MODE_MMAP, &g->mmdb_->db);
  if (rc != MMDB_SUCCESS) return Status::NotFound(mmdb_path + ": " + MMDB_strerror(rc));
  g->mmdb_->open = true;
  for (const std::string& path : {v4_path, v6_path}) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return Status::NotFound(path + ": the ASN table is missing");
    }
  }
  g->asn_ = std::async(std::launch::async, [v4_path, v6_path] {
              return AsnTable::Load(v4_path, v6_path);
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
    if (e.organization != nullptr) info.as_organization = *e.organization;
  }
  return info;
}

const AsnTable* GeoDatabase::Asn() const {
  const Result<AsnTable>& table = asn_.get();
  return table.ok() ? &table.value() : nullptr;
}

Status GeoDatabase::AsnStatus() const { return asn_.get().status(); }

std::string DefaultGeoDirectory() {
  if (const char* env = std::getenv("HOMEPORT_GEO_DB"); env != nullptr && *env != '\0') return env;
  // An installed binary (bin/homeport) finds the data beside it, in share/homeport/geo, wherever
  // the tree was installed; programs of a build directory use the source tree's npm packages.
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || exe.string().starts_with(HOMEPORT_BINARY_DIR "/")) {
    return std::string(HOMEPORT_SOURCE_DIR) + "/node_modules/@ip-location-db";
  }
  return (exe.parent_path().parent_path() / "share/homeport/geo").string();
}

}  // namespace homeport::audit
