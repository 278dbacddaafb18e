// The ASN CSV files are read whole (about 30 MB) and parsed with from_chars; IPv6 bounds are
// 128-bit decimals kept as two 64-bit halves. Parsed or mapped, the table is one image in the
// compiled format below, read through little-endian loads byte by byte (no alignment or
// aliasing assumptions about a file someone else wrote), within bounds checked once.
//
// The compiled format, version 1 (all integers little-endian):
//   0   magic "HPGEOASN"                    8 bytes
//   8   format version (1)                  u32
//   12  header size (160)                   u32
//   16  file size                           u64
//   24  IPv4 range count                    u64
//   32  IPv6 range count                    u64
//   40  organization count                  u64
//   48  organization names' size            u64
//   56  IPv4 CSV size, 64 IPv6 CSV size     u64, u64
//   72  SHA-256 of the IPv4 CSV then the IPv6 CSV        32 bytes
//   104 SHA-256 of the whole file with these 32 bytes zero 32 bytes
//   136 data version, printable ASCII, NUL-padded        24 bytes
//   160 IPv4 ranges: start, end, asn, organization index (u32 each), sorted by start
//       IPv6 ranges: start hi, start lo, end hi, end lo (u64), asn, organization (u32)
//       organization offsets: count + 1 u32, non-decreasing, the last = names' size
//       organization names, back to back (UTF-8 as in the CSV)
// and nothing after them: the file size is exactly the sum.
#include "audit/asn_table.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory_resource>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "audit/sha256_hasher.h"

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

constexpr char kMagic[8] = {'H', 'P', 'G', 'E', 'O', 'A', 'S', 'N'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHeaderSize = 160;
constexpr size_t kV4Record = 16, kV6Record = 40;
constexpr size_t kVersionField = 24;
// Far above the real tables (about 600,000 ranges, 80,000 organizations, 3 MB of names), far
// below what would overflow the size arithmetic.
constexpr uint64_t kMaxCount = uint64_t{1} << 28;

uint32_t Le32(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
uint64_t Le64(const uint8_t* p) { return uint64_t{Le32(p)} | (uint64_t{Le32(p + 4)} << 32); }
void PutLe32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void PutLe64(std::string& s, uint64_t v) {
  PutLe32(s, static_cast<uint32_t>(v));
  PutLe32(s, static_cast<uint32_t>(v >> 32));
}

std::string Hex(const uint8_t* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 15]);
  }
  return out;
}

bool FromHex(std::string_view hex, uint8_t* out, size_t n) {
  if (hex.size() != 2 * n) return false;
  for (size_t i = 0; i < n; ++i) {
    if (std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, out[i], 16).ec != std::errc()) {
      return false;
    }
  }
  return true;
}

std::string Sha256Hex(std::string_view a, std::string_view b = {}) {
  Sha256Hasher h;
  h.Update(a);
  h.Update(b);
  return h.FinishHex();
}

// The image's own checksum: the whole image, its checksum field read as zeros.
std::string ImageSha256(std::string_view image) {
  Sha256Hasher h;
  h.Update(image.substr(0, 104));
  static constexpr char kZeros[32] = {};
  h.Update({kZeros, sizeof kZeros});
  h.Update(image.substr(136));
  return h.FinishHex();
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

}  // namespace

struct AsnTable::Image {
  std::string owned;
  const uint8_t* data = nullptr;
  size_t size = 0;
  void* mapping = nullptr;  // munmap'd on destruction
  ~Image() {
    if (mapping != nullptr) munmap(mapping, size);
  }
};

Result<AsnTable> AsnTable::Parse(std::string_view ipv4_csv, std::string_view ipv6_csv,
                                 std::string_view data_version) {
  struct Range4 {
    uint32_t start, end, asn, organization;
  };
  struct Range6 {
    U128 start, end;
    uint32_t asn, organization;
  };
  std::vector<Range4> v4;
  std::vector<Range6> v6;
  std::deque<std::string> organizations;  // a deque: by_name's keys point into it
  // Every organization is stored once. An AS keeps its name from row to row, so most rows find
  // theirs by number without hashing the name (which is still compared). The maps' nodes come
  // from one arena, freed at once: allocating and freeing them one by one cost as much as the
  // lookups.
  std::pmr::monotonic_buffer_resource arena;
  std::pmr::unordered_map<std::string_view, uint32_t> by_name(&arena);
  std::pmr::unordered_map<uint32_t, uint32_t> by_asn(&arena);
  by_name.reserve(1 << 17);  // the real tables name about 80,000 organizations
  by_asn.reserve(1 << 17);
  auto intern = [&](uint32_t asn, std::string_view name) {
    auto known = by_asn.find(asn);
    if (known != by_asn.end() && organizations[known->second] == name) return known->second;
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      const auto index = static_cast<uint32_t>(organizations.size());
      it = by_name.emplace(organizations.emplace_back(name), index).first;
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
        ok = ParseU32(f[0], &start) && ParseU32(f[1], &end) && start <= end;
        if (ok) v4.push_back({start, end, asn, intern(asn, organization)});
      } else if (ok) {
        U128 start, end;
        ok = ParseU128(f[0], &start) && ParseU128(f[1], &end) && !(end < start);
        if (ok) v6.push_back({start, end, asn, intern(asn, organization)});
      }
      if (!ok) {
        return Status::Corruption("IPv" + std::to_string(version) + " ASN table, line " +
                                  std::to_string(line_number) + ": expected start,end,asn,org");
      }
    }
  }
  // The packages' files are in address order already; checking is linear, sorting is not.
  const auto by_start4 = [](const Range4& a, const Range4& b) { return a.start < b.start; };
  const auto by_start6 = [](const Range6& a, const Range6& b) { return a.start < b.start; };
  if (!std::is_sorted(v4.begin(), v4.end(), by_start4)) {
    std::stable_sort(v4.begin(), v4.end(), by_start4);
  }
  if (!std::is_sorted(v6.begin(), v6.end(), by_start6)) {
    std::stable_sort(v6.begin(), v6.end(), by_start6);
  }
  size_t names_size = 0;
  for (const auto& o : organizations) names_size += o.size();
  if (names_size > UINT32_MAX) return Status::Corruption("ASN table: organization names too long");

  std::string body;
  body.reserve(v4.size() * kV4Record + v6.size() * kV6Record +
               (organizations.size() + 1) * 4 + names_size);
  for (const Range4& r : v4) {
    PutLe32(body, r.start);
    PutLe32(body, r.end);
    PutLe32(body, r.asn);
    PutLe32(body, r.organization);
  }
  for (const Range6& r : v6) {
    PutLe64(body, r.start.hi);
    PutLe64(body, r.start.lo);
    PutLe64(body, r.end.hi);
    PutLe64(body, r.end.lo);
    PutLe32(body, r.asn);
    PutLe32(body, r.organization);
  }
  uint32_t offset = 0;
  PutLe32(body, 0);
  for (const auto& o : organizations) PutLe32(body, offset += static_cast<uint32_t>(o.size()));
  for (const auto& o : organizations) body += o;

  std::string image(kMagic, sizeof kMagic);
  PutLe32(image, kFormatVersion);
  PutLe32(image, kHeaderSize);
  PutLe64(image, kHeaderSize + body.size());
  PutLe64(image, v4.size());
  PutLe64(image, v6.size());
  PutLe64(image, organizations.size());
  PutLe64(image, names_size);
  PutLe64(image, ipv4_csv.size());
  PutLe64(image, ipv6_csv.size());
  uint8_t digest[32];
  FromHex(Sha256Hex(ipv4_csv, ipv6_csv), digest, 32);
  image.append(reinterpret_cast<const char*>(digest), 32);
  image.append(32, '\0');  // the image's checksum, filled in below
  std::string version(data_version.substr(0, kVersionField));
  for (char& c : version) {
    if (c < 0x20 || c > 0x7E) c = '?';
  }
  version.resize(kVersionField, '\0');
  image += version;
  image += body;
  FromHex(ImageSha256(image), digest, 32);
  std::memcpy(image.data() + 104, digest, 32);
  auto owned = std::make_shared<Image>();
  owned->owned = std::move(image);
  owned->data = reinterpret_cast<const uint8_t*>(owned->owned.data());
  owned->size = owned->owned.size();
  return Validate(std::move(owned));
}

Result<AsnTable> AsnTable::Load(const std::string& ipv4_path, const std::string& ipv6_path,
                                std::string_view data_version) {
  HOMEPORT_ASSIGN_OR_RETURN(FileText v4, ReadFile(ipv4_path));
  HOMEPORT_ASSIGN_OR_RETURN(FileText v6, ReadFile(ipv6_path));
  return Parse(v4.view(), v6.view(), data_version);
}

Result<AsnTable> AsnTable::FromCompiled(std::string bytes) {
  auto image = std::make_shared<Image>();
  image->owned = std::move(bytes);
  image->data = reinterpret_cast<const uint8_t*>(image->owned.data());
  image->size = image->owned.size();
  return Validate(std::move(image));
}

Result<AsnTable> AsnTable::MapCompiled(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Corruption(path + ": not a regular file");
  }
  auto image = std::make_shared<Image>();
  image->size = static_cast<size_t>(st.st_size);
  if (image->size < kHeaderSize) {
    ::close(fd);
    return Status::Corruption(path + ": " + std::to_string(image->size) +
                              " bytes, shorter than the header");
  }
  // MAP_POPULATE: the whole table is checked at once anyway, so fault it in in one go.
  void* m = mmap(nullptr, image->size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  ::close(fd);
  if (m == MAP_FAILED) return Status::Corruption(path + ": cannot map: " + std::strerror(errno));
  image->mapping = m;
  image->data = static_cast<const uint8_t*>(m);
  auto table = Validate(std::move(image));
  if (!table.ok()) return Status::Corruption(path + ": " + table.status().message());
  return table;
}

// Everything Find and the accessors rely on, checked once: after this, no read leaves the image.
Result<AsnTable> AsnTable::Validate(std::shared_ptr<const Image> image) {
  const uint8_t* p = image->data;
  const uint64_t size = image->size;
  auto bad = [](const std::string& why) {
    return Status::Corruption("not a usable compiled ASN table (" + why + ")");
  };
  if (size < kHeaderSize) return bad("shorter than its header");
  if (std::memcmp(p, kMagic, sizeof kMagic) != 0) return bad("wrong magic");
  if (Le32(p + 8) != kFormatVersion) {
    return bad("format version " + std::to_string(Le32(p + 8)) + ", this homeport reads " +
               std::to_string(kFormatVersion));
  }
  if (Le32(p + 12) != kHeaderSize) return bad("unexpected header size");
  if (Le64(p + 16) != size) {
    return bad("says " + std::to_string(Le64(p + 16)) + " bytes, is " + std::to_string(size) +
               ": truncated or extended");
  }
  AsnTable t;
  t.v4_count_ = Le64(p + 24);
  t.v6_count_ = Le64(p + 32);
  t.org_count_ = Le64(p + 40);
  const uint64_t names_size = Le64(p + 48);
  if (t.v4_count_ > kMaxCount || t.v6_count_ > kMaxCount || t.org_count_ > kMaxCount ||
      names_size > UINT32_MAX) {
    return bad("implausible counts");
  }
  const uint64_t expected = kHeaderSize + t.v4_count_ * kV4Record + t.v6_count_ * kV6Record +
                            (t.org_count_ + 1) * 4 + names_size;
  if (expected != size) return bad("its sections do not add up to its size");
  for (size_t i = 136; i < kHeaderSize; ++i) {
    if (p[i] != 0 && (p[i] < 0x20 || p[i] > 0x7E)) return bad("data version is not printable");
  }
  if (ImageSha256({reinterpret_cast<const char*>(p), size}) != Hex(p + 104, 32)) {
    return bad("checksum mismatch: damaged");
  }

  t.v4_ = p + kHeaderSize;
  t.v6_ = t.v4_ + t.v4_count_ * kV4Record;
  t.offsets_ = t.v6_ + t.v6_count_ * kV6Record;
  t.names_ = reinterpret_cast<const char*>(t.offsets_ + (t.org_count_ + 1) * 4);
  // Organization offsets: from 0, never decreasing, ending at the names' size.
  uint32_t previous = Le32(t.offsets_);
  if (previous != 0) return bad("organization offsets do not start at 0");
  for (uint64_t i = 1; i <= t.org_count_; ++i) {
    const uint32_t o = Le32(t.offsets_ + 4 * i);
    if (o < previous) return bad("organization offsets go backwards");
    previous = o;
  }
  if (previous != names_size) return bad("organization offsets do not end at the names' end");
  // Ranges: each well-formed, naming an organization that exists, sorted by start.
  uint32_t last4 = 0;
  for (uint64_t i = 0; i < t.v4_count_; ++i) {
    const uint8_t* r = t.v4_ + i * kV4Record;
    const uint32_t start = Le32(r), end = Le32(r + 4);
    if (end < start || Le32(r + 12) >= t.org_count_ || (i > 0 && start < last4)) {
      return bad("IPv4 range " + std::to_string(i) + " is out of order or malformed");
    }
    last4 = start;
  }
  U128 last6;
  for (uint64_t i = 0; i < t.v6_count_; ++i) {
    const uint8_t* r = t.v6_ + i * kV6Record;
    const U128 start{Le64(r), Le64(r + 8)}, end{Le64(r + 16), Le64(r + 24)};
    if (end < start || Le32(r + 36) >= t.org_count_ || (i > 0 && start < last6)) {
      return bad("IPv6 range " + std::to_string(i) + " is out of order or malformed");
    }
    last6 = start;
  }
  t.image_ = std::move(image);
  return t;
}

AsnTable::Entry AsnTable::Find(const IpAddress& a) const {
  auto organization = [&](uint32_t index) {
    const uint32_t from = Le32(offsets_ + 4 * uint64_t{index});
    const uint32_t to = Le32(offsets_ + 4 * (uint64_t{index} + 1));
    return std::string_view(names_ + from, to - from);
  };
  if (a.version == 4) {
    const uint32_t ip = (uint32_t{a.bytes[0]} << 24) | (uint32_t{a.bytes[1]} << 16) |
                        (uint32_t{a.bytes[2]} << 8) | a.bytes[3];
    // The last range starting at or before ip.
    uint64_t lo = 0, hi = v4_count_;
    while (lo < hi) {
      const uint64_t mid = lo + (hi - lo) / 2;
      if (Le32(v4_ + mid * kV4Record) <= ip) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo == 0) return {};
    const uint8_t* r = v4_ + (lo - 1) * kV4Record;
    if (ip > Le32(r + 4)) return {};
    return {Le32(r + 8), organization(Le32(r + 12))};
  }
  if (a.version == 6) {
    const U128 ip = FromAddress(a);
    uint64_t lo = 0, hi = v6_count_;
    while (lo < hi) {
      const uint64_t mid = lo + (hi - lo) / 2;
      const uint8_t* r = v6_ + mid * kV6Record;
      if (!(ip < U128{Le64(r), Le64(r + 8)})) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo == 0) return {};
    const uint8_t* r = v6_ + (lo - 1) * kV6Record;
    if (U128{Le64(r + 16), Le64(r + 24)} < ip) return {};
    return {Le32(r + 32), organization(Le32(r + 36))};
  }
  return {};
}

std::string_view AsnTable::Compiled() const {
  return {reinterpret_cast<const char*>(image_->data), image_->size};
}
std::string AsnTable::SourceSha256() const { return Hex(image_->data + 72, 32); }
uint64_t AsnTable::SourceIpv4Size() const { return Le64(image_->data + 56); }
uint64_t AsnTable::SourceIpv6Size() const { return Le64(image_->data + 64); }
std::string AsnTable::DataVersion() const {
  const char* v = reinterpret_cast<const char*>(image_->data + 136);
  return std::string(v, strnlen(v, kVersionField));
}

std::string AsnPackageVersion(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) || std::filesystem::file_size(path, ec) > 65536) {
    return {};
  }
  auto text = ReadFile(path);
  if (!text.ok()) return {};
  const auto j = nlohmann::json::parse(text->view(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("version") || !j["version"].is_string()) return {};
  return j["version"].get<std::string>();
}

AsnFiles FindAsnFiles(const std::string& dir) {
  return {FirstExisting({dir + "/asn/asn-ipv4-num.csv", dir + "/asn-ipv4-num.csv"}),
          FirstExisting({dir + "/asn/asn-ipv6-num.csv", dir + "/asn-ipv6-num.csv"}),
          FirstExisting({dir + "/asn/package.json", dir + "/asn-package.json"}),
          FirstExisting({dir + "/" + std::string(kCompiledAsnFileName),
                         dir + "/asn/" + std::string(kCompiledAsnFileName)})};
}

Result<AsnTable> AsnTable::LoadCsvFolder(const std::string& dir) {
  const AsnFiles files = FindAsnFiles(dir);
  return Load(files.ipv4_csv, files.ipv6_csv, AsnPackageVersion(files.package_json));
}

}  // namespace homeport::audit
