// Every file is opened through libpcap, which checks the file header and reads pcapng. Classic
// pcap in its usual layout (what tcpdump -w writes) is then read here, record by record from a
// large buffer, and each frame handed out in place: libpcap reads a record with two freads and
// copies it into a buffer of its own, which was a quarter of the time `audit capture` took on
// a large capture. The records are checked exactly as libpcap 1.10 checks them
// (sf-pcap.c, pcap_next_packet) and damage is reported in its words, so the two paths agree.
#include "audit/capture/pcap_source.h"

#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "audit/capture/packet_decoder.h"

namespace homeport::audit::capture {
namespace {

constexpr size_t kStdioBuffer = 1 << 20;
constexpr size_t kReadBuffer = 1 << 20;  // must hold the largest record
constexpr size_t kFileHeader = 24;
constexpr size_t kRecordHeader = 16;
// libpcap's largest sane record (MAXIMUM_SNAPLEN) for every link type DecodeNetwork reads.
constexpr uint32_t kMaxCaptureLength = 262144;
static_assert(kReadBuffer >= kRecordHeader + kMaxCaptureLength);

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

PcapSource::PcapSource(PcapSource&&) noexcept = default;
PcapSource& PcapSource::operator=(PcapSource&&) noexcept = default;
PcapSource::~PcapSource() = default;

Result<PcapSource> PcapSource::Open(const std::string& path) {
  PcapSource s;
  s.path_ = path;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Status::NotFound(path + ": cannot open the capture");
  struct stat st {};
  if (fstat(fileno(f), &st) == 0) s.file_size_ = static_cast<uint64_t>(st.st_size);
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
  if (pread(fileno(f), header, kFileHeader, 0) == static_cast<ssize_t>(kFileHeader) &&
      IsUsualClassicPcap(header, p)) {
    s.direct_ = true;
    s.swapped_ = pcap_is_swapped(p) == 1;
    s.snapshot_ = static_cast<uint32_t>(pcap_snapshot(p));
    s.buffer_ = std::make_unique_for_overwrite<char[]>(kReadBuffer);
    s.read_at_ = kFileHeader;
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
  const size_t have = Buffer(kRecordHeader);
  if (!damage_.ok() || have == 0) return std::nullopt;  // damage, or the end of the file
  if (have < kRecordHeader) {
    SetDamage("truncated dump file; tried to read 16 header bytes, only got " +
              std::to_string(have));
    return std::nullopt;
  }
  // ts_sec, ts_usec (or nsec), caplen, len: in the writer's byte order.
  uint32_t field[4];
  std::memcpy(field, buffer_.get() + begin_, kRecordHeader);
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
  const size_t got = Buffer(kRecordHeader + caplen) - kRecordHeader;
  if (!damage_.ok()) return std::nullopt;
  if (got < caplen) {
    // libpcap first reads up to the snap length, then the rest of a longer record.
    const uint32_t tried = caplen > snapshot_ && got < snapshot_ ? snapshot_ : caplen;
    SetDamage("truncated dump file; tried to read " + std::to_string(tried) +
              " captured bytes, only got " + std::to_string(got));
    return std::nullopt;
  }
  // A record longer than the snap length is cut to it, as libpcap does.
  const Frame frame{std::string_view(buffer_.get() + begin_ + kRecordHeader,
                                     std::min(caplen, snapshot_)),
                    static_cast<int32_t>(field[0]),  // libpcap's seconds are signed 32-bit
                    field[3]};
  begin_ += kRecordHeader + caplen;
  offset_ += kRecordHeader + caplen;
  ++frames_;
  return frame;
}

// Makes `wanted` bytes available from buffer_[begin_] unless the file ends first; returns how
// many are. Moves the bytes not handed out yet to the front before reading more.
size_t PcapSource::Buffer(size_t wanted) {
  while (end_ - begin_ < wanted && !end_of_file_) {
    if (begin_ > 0) {
      std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    const ssize_t n = pread(fileno(file_), buffer_.get() + end_, kReadBuffer - end_,
                            static_cast<off_t>(read_at_));
    if (n < 0) {
      if (errno == EINTR) continue;
      SetDamage(std::string("error reading dump file: ") + std::strerror(errno));
      return 0;
    }
    if (n == 0) end_of_file_ = true;
    end_ += static_cast<size_t>(n);
    read_at_ += static_cast<uint64_t>(n);
  }
  return end_ - begin_;
}

void PcapSource::SetDamage(const std::string& what) {
  damage_ = Status::Corruption(path_ + ": damaged at byte offset " + std::to_string(offset_) +
                               " (after frame " + std::to_string(frames_) + "): " + what);
}

}  // namespace homeport::audit::capture
