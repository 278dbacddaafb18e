// Every file is opened through libpcap, which checks the file header and reads pcapng. Classic
// pcap in its usual layout (what tcpdump -w writes), in a regular file, is then read here: a
// window of the file is mapped into memory and each frame handed out in place. libpcap reads a
// record with two freads and copies it into a buffer of its own, which was a quarter of the
// time `audit capture` took on a large capture; reading into a buffer of our own still copied
// every byte once. The records are checked exactly as libpcap 1.10 checks them (sf-pcap.c,
// pcap_next_packet) and damage is reported in its words, so the two paths agree. (A file
// truncated by another process while it is being read ends the process with SIGBUS, as with
// any mapped file.)
#include "audit/capture/pcap_source.h"

#include <pcap/pcap.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "audit/capture/packet_decoder.h"

namespace homeport::audit::capture {
namespace {

constexpr size_t kStdioBuffer = 1 << 20;
// Mapped at a time: large enough for few mmap calls, small enough that memory stays flat (mapped
// pages count as the process's), and larger than the largest record by more than a page.
constexpr size_t kWindow = 4 << 20;
constexpr size_t kFileHeader = 24;
constexpr size_t kRecordHeader = 16;
// libpcap's largest sane record (MAXIMUM_SNAPLEN) for every link type DecodeNetwork reads.
constexpr uint32_t kMaxCaptureLength = 262144;
static_assert(kWindow >= kRecordHeader + kMaxCaptureLength + (64 << 10));

uint32_t Swap32(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
}

// The layouts read directly: the standard magic numbers (microsecond or nanosecond
// timestamps), in either byte order, version 2.4. Older versions (with caplen and len
// possibly swapped) and the patched variants with longer record headers stay with libpcap.
bool IsUsualClassicPcap(const unsigned char* header, pcap_t* p) {
  uint32_t magic;
  std::memcpy(&magic, header, 4);
  const auto usual = [](uint32_t m) { return m == 0xA1B2C3D4u || m == 0xA1B23C4Du; };
  return (usual(magic) || usual(Swap32(magic))) && pcap_major_version(p) == 2 &&
         pcap_minor_version(p) == 4;
}

}  // namespace

void PcapSource::PcapCloser::operator()(pcap* p) const { pcap_close(p); }

void PcapSource::Unmap::operator()(const char* window) const {
  munmap(const_cast<char*>(window), length);
}

PcapSource::PcapSource(PcapSource&&) noexcept = default;
PcapSource& PcapSource::operator=(PcapSource&&) noexcept = default;
PcapSource::~PcapSource() = default;

Result<PcapSource> PcapSource::Open(const std::string& path) {
  PcapSource s;
  s.path_ = path;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Status::NotFound(path + ": cannot open the capture");
  struct stat st {};
  const bool regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
  if (regular) s.file_size_ = static_cast<uint64_t>(st.st_size);
  // libpcap reads record by record; a 1 MiB stdio buffer turns that into few system calls.
  s.stdio_buffer_ = std::make_unique<char[]>(kStdioBuffer);
  std::setvbuf(f, s.stdio_buffer_.get(), _IOFBF, kStdioBuffer);
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_fopen_offline(f, errbuf);
  if (p == nullptr) {
    std::fclose(f);
    return Status::InvalidArgument(path +
                                   ": not a readable pcap or pcapng file (damaged at byte "
                                   "offset 0): " +
                                   errbuf);
  }
  s.pcap_.reset(p);
  s.file_ = f;
  s.link_type_ = pcap_datalink(p);
  if (!IsSupportedLinkType(s.link_type_)) {
    const char* name = pcap_datalink_val_to_name(s.link_type_);
    return Status::InvalidArgument(path + ": link type " + std::to_string(s.link_type_) + " (" +
                                   (name ? name : "unknown") +
                                   ") is not supported; Ethernet, Linux cooked, raw IP and "
                                   "loopback captures are");
  }
  unsigned char header[kFileHeader];
  if (regular && pread(fileno(f), header, kFileHeader, 0) == static_cast<ssize_t>(kFileHeader) &&
      IsUsualClassicPcap(header, p)) {
    s.direct_ = true;
    s.swapped_ = pcap_is_swapped(p) == 1;
    s.snapshot_ = static_cast<uint32_t>(pcap_snapshot(p));
    s.position_ = kFileHeader;
    s.offset_ = kFileHeader;
    return s;
  }
  const long at = std::ftell(f);
  s.offset_ = at > 0 ? static_cast<uint64_t>(at) : 0;
  // glibc's ftell asks the kernel (lseek) until the stream has been positioned once; after an
  // explicit seek it answers from the offset it tracks. One seek here saves a system call per
  // frame.
  if (at >= 0) std::fseek(f, at, SEEK_SET);
  return s;
}

std::optional<Frame> PcapSource::Next() {
  if (!pcap_ || !damage_.ok()) return std::nullopt;
  return direct_ ? NextRecord() : NextFromLibpcap();
}

std::optional<Frame> PcapSource::NextFromLibpcap() {
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(pcap_.get(), &header, &data);
  if (rc == 1) {
    ++frames_;
    const long at = std::ftell(file_);
    if (at > 0) offset_ = static_cast<uint64_t>(at);
    return Frame{std::string_view(reinterpret_cast<const char*>(data), header->caplen),
                 static_cast<int64_t>(header->ts.tv_sec), header->len};
  }
  if (rc != PCAP_ERROR_BREAK) SetDamage(pcap_geterr(pcap_.get()));
  return std::nullopt;
}

std::optional<Frame> PcapSource::NextRecord() {
  const size_t have = Map(kRecordHeader);
  if (!damage_.ok() || have == 0) return std::nullopt;  // damage, or the end of the file
  if (have < kRecordHeader) {
    SetDamage("truncated dump file; tried to read 16 header bytes, only got " +
              std::to_string(have));
    return std::nullopt;
  }
  // ts_sec, ts_usec (or nsec), caplen, len: in the writer's byte order.
  uint32_t field[4];
  std::memcpy(field, window_.get() + (position_ - window_start_), kRecordHeader);
  if (swapped_) {
    for (uint32_t& v : field) v = Swap32(v);
  }
  const uint32_t caplen = field[2];
  if (caplen > kMaxCaptureLength) {
    SetDamage(caplen > snapshot_
                  ? "invalid packet capture length " + std::to_string(caplen) +
                        ", bigger than snaplen of " + std::to_string(snapshot_)
                  : "invalid packet capture length " + std::to_string(caplen) +
                        ", bigger than maximum of " + std::to_string(kMaxCaptureLength));
    return std::nullopt;
  }
  const size_t got = Map(kRecordHeader + caplen) - kRecordHeader;
  if (!damage_.ok()) return std::nullopt;
  if (got < caplen) {
    // libpcap first reads up to the snap length, then the rest of a longer record.
    const uint32_t tried = caplen > snapshot_ && got < snapshot_ ? snapshot_ : caplen;
    SetDamage("truncated dump file; tried to read " + std::to_string(tried) +
              " captured bytes, only got " + std::to_string(got));
    return std::nullopt;
  }
  // A record longer than the snap length is cut to it, as libpcap does.
  const char* data = window_.get() + (position_ - window_start_) + kRecordHeader;
  const Frame frame{std::string_view(data, std::min(caplen, snapshot_)),
                    static_cast<int32_t>(field[0]),  // libpcap's seconds are signed 32-bit
                    field[3]};
  position_ += kRecordHeader + caplen;
  offset_ = position_;
  ++frames_;
  return frame;
}

// Makes the `wanted` bytes at position_ readable in window_, unless the file ends first; returns
// how many are. A new window starts at the page that holds position_, so a record is never split
// across two, and the file's size is looked up again each time (it may still be growing).
size_t PcapSource::Map(size_t wanted) {
  const size_t mapped = window_.get_deleter().length;
  if (window_ && position_ + wanted <= window_start_ + mapped) return wanted;
  struct stat st {};
  if (fstat(fileno(file_), &st) != 0) {
    SetDamage(std::string("error reading dump file: ") + std::strerror(errno));
    return 0;
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  static const auto page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t start = position_ - position_ % page;
  window_.reset();
  if (size <= position_) return 0;
  const size_t length = static_cast<size_t>(std::min<uint64_t>(kWindow, size - start));
  void* window =
      mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fileno(file_), static_cast<off_t>(start));
  if (window == MAP_FAILED) {
    SetDamage(std::string("error reading dump file: ") + std::strerror(errno));
    return 0;
  }
  window_ = std::unique_ptr<const char, Unmap>(static_cast<const char*>(window), Unmap{length});
  window_start_ = start;
  return static_cast<size_t>(std::min<uint64_t>(wanted, start + length - position_));
}

void PcapSource::SetDamage(const std::string& what) {
  damage_ = Status::Corruption(path_ + ": damaged at byte offset " + std::to_string(offset_) +
                               " (after frame " + std::to_string(frames_) + "): " + what);
}

}  // namespace homeport::audit::capture
