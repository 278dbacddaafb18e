// Every file is opened through libpcap, which checks the file header and reads pcapng. Classic
// pcap in its usual layout (what tcpdump -w writes), in a regular file, is then read here: a
// window of the file is mapped into memory and each frame handed out in place. libpcap reads a
// record with two freads and copies it into a buffer of its own, which was a quarter of the
// time `audit capture` took on a large capture; reading into a buffer of our own still copied
// every byte once. The records are checked exactly as libpcap 1.10 checks them (sf-pcap.c,
// pcap_next_packet) and damage is reported in its words, so the two paths agree. (A file
// truncated by another process while it is being read ends the process with SIGBUS, as with
// any mapped file.)
//
// A stream (standard input, a FIFO) is read by libpcap through a stdio FILE made with glibc's
// fopencookie, whose read function hashes every byte it hands over: the digest then covers the
// stream exactly as read, and nothing is buffered beyond stdio's own buffer.
#include "audit/capture/pcap_source.h"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include "audit/capture/packet_decoder.h"
#include "audit/sha256_hasher.h"

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

// The read side of a fopencookie FILE over a descriptor: every byte read goes through the
// hasher. ftell works (libpcap's offsets in damage messages); other seeks fail, as on a pipe.
class PcapSource::HashingStream {
 public:
  HashingStream(int fd, bool owned, PcapStreamOptions options)
      : fd_(fd), owned_(owned), options_(options) {}
  ~HashingStream() {
    if (owned_) close(fd_);
  }

  std::FILE* Open() {
    cookie_io_functions_t io{};
    io.read = [](void* cookie, char* buffer, size_t size) {
      return static_cast<HashingStream*>(cookie)->Read(buffer, size);
    };
    io.seek = [](void* cookie, off64_t* offset, int whence) {
      return static_cast<HashingStream*>(cookie)->Seek(offset, whence);
    };
    return fopencookie(this, "rb", io);
  }

  // Reads the rest of the stream into the digest (for a damaged capture), then finishes it.
  InputDigest Finish() {
    if (error_.empty() && !stopped_) {
      char buffer[64 << 10];
      while (Read(buffer, sizeof buffer) > 0) {
      }
    }
    InputDigest digest;
    digest.bytes = position_;
    if (!error_.empty()) {
      digest.problem = error_;
    } else {
      digest.sha256 = hasher_.FinishHex();
    }
    return digest;
  }

  bool stopped() const { return stopped_; }
  uint64_t bytes_read() const { return position_; }

 private:
  ssize_t Read(char* buffer, size_t size) {
    if (stopped_ || ended_) return 0;
    for (;;) {
      if (options_.stop != nullptr) {
        if (*options_.stop) {
          stopped_ = true;
          return 0;
        }
        pollfd p{fd_, POLLIN, 0};
        const int ready = poll(&p, 1, 250);
        if (ready == 0 || (ready < 0 && errno == EINTR)) continue;
      }
      const ssize_t n = read(fd_, buffer, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        if (error_.empty()) error_ = std::string("cannot read: ") + std::strerror(errno);
        return -1;
      }
      if (n == 0) ended_ = true;
      hasher_.Update(std::string_view(buffer, static_cast<size_t>(n)));
      position_ += static_cast<uint64_t>(n);
      return n;
    }
  }

  int Seek(off64_t* offset, int whence) {
    if ((whence == SEEK_CUR && *offset == 0) ||
        (whence == SEEK_SET && *offset == static_cast<off64_t>(position_))) {
      *offset = static_cast<off64_t>(position_);
      return 0;
    }
    errno = ESPIPE;
    return -1;
  }

  int fd_;
  bool owned_;
  PcapStreamOptions options_;
  Sha256Hasher hasher_;
  uint64_t position_ = 0;
  bool ended_ = false;
  bool stopped_ = false;
  std::string error_;
};

// SHA-256 of a whole regular file, read with pread from a descriptor of its own on a thread
// of its own, so that the frames are analysed meanwhile on another core.
class PcapSource::FileHasher {
 public:
  explicit FileHasher(int fd) : fd_(dup(fd)) {
    if (fd_ < 0) {
      digest_.problem = std::string("cannot read the file again: ") + std::strerror(errno);
      return;
    }
    thread_ = std::thread([this] { Run(); });
  }
  ~FileHasher() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) close(fd_);
  }

  InputDigest Wait() {
    if (thread_.joinable()) thread_.join();
    return digest_;
  }

 private:
  void Run() {
    constexpr size_t kPiece = 1 << 20;
    const auto buffer = std::make_unique<char[]>(kPiece);
    Sha256Hasher hasher;
    uint64_t offset = 0;
    while (!stop_) {
      const ssize_t n = pread(fd_, buffer.get(), kPiece, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        digest_.problem = std::string("cannot read the file: ") + std::strerror(errno);
        return;
      }
      if (n == 0) break;
      hasher.Update(std::string_view(buffer.get(), static_cast<size_t>(n)));
      offset += static_cast<uint64_t>(n);
    }
    digest_.bytes = offset;
    if (!stop_) digest_.sha256 = hasher.FinishHex();
  }

  int fd_;
  std::atomic<bool> stop_{false};
  InputDigest digest_;
  std::thread thread_;
};

void PcapSource::PcapCloser::operator()(pcap* p) const { pcap_close(p); }

void PcapSource::Unmap::operator()(const char* window) const {
  munmap(const_cast<char*>(window), length);
}

PcapSource::PcapSource() = default;
PcapSource::PcapSource(PcapSource&&) noexcept = default;
PcapSource& PcapSource::operator=(PcapSource&&) noexcept = default;
PcapSource::~PcapSource() = default;

Result<PcapSource> PcapSource::Open(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound(path + ": cannot open the capture");
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    PcapSource s;
    s.path_ = path;
    s.stream_ = std::make_unique<HashingStream>(fd, /*owned=*/true, PcapStreamOptions{});
    std::FILE* f = s.stream_->Open();
    if (f == nullptr) return Status::IoError(path + ": cannot read the capture");
    return Start(std::move(s), f, false);
  }
  std::FILE* f = fdopen(fd, "rb");
  if (f == nullptr) {
    close(fd);
    return Status::IoError(path + ": cannot read the capture");
  }
  PcapSource s;
  s.path_ = path;
  s.file_size_ = static_cast<uint64_t>(st.st_size);
  s.file_hasher_ = std::make_unique<FileHasher>(fd);
  return Start(std::move(s), f, true);
}

Result<PcapSource> PcapSource::OpenStream(int fd, const std::string& name,
                                          PcapStreamOptions options) {
  PcapSource s;
  s.path_ = name;
  s.stream_ = std::make_unique<HashingStream>(fd, /*owned=*/false, options);
  std::FILE* f = s.stream_->Open();
  if (f == nullptr) return Status::IoError(name + ": cannot read the capture");
  return Start(std::move(s), f, false);
}

Result<PcapSource> PcapSource::Start(PcapSource s, std::FILE* f, bool regular) {
  const std::string& path = s.path_;
  // libpcap reads record by record; a 1 MiB stdio buffer turns that into few system calls.
  s.stdio_buffer_ = std::make_unique<char[]>(kStdioBuffer);
  std::setvbuf(f, s.stdio_buffer_.get(), _IOFBF, kStdioBuffer);
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_fopen_offline(f, errbuf);
  if (p == nullptr) {
    std::fclose(f);
    if ((regular && s.file_size_ == 0) || (s.stream_ && s.stream_->bytes_read() == 0)) {
      return Status::InvalidArgument(path + ": empty, not a pcap or pcapng capture");
    }
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
  if (regular &&
      pread(fileno(f), header, kFileHeader, 0) == static_cast<ssize_t>(kFileHeader) &&
      IsUsualClassicPcap(header, p)) {
    uint32_t magic;
    std::memcpy(&magic, header, 4);
    s.direct_ = true;
    s.swapped_ = pcap_is_swapped(p) == 1;
    s.nanoseconds_ = magic == 0xA1B23C4Du || Swap32(magic) == 0xA1B23C4Du;
    s.snapshot_ = static_cast<uint32_t>(pcap_snapshot(p));
    s.position_ = kFileHeader;
    s.offset_ = kFileHeader;
    return s;
  }
  const long at = std::ftell(f);
  s.offset_ = at > 0 ? static_cast<uint64_t>(at) : 0;
  // glibc's ftell asks the kernel (lseek) until the stream has been positioned once; after an
  // explicit seek it answers from the offset it tracks. One seek here saves a system call per
  // frame. (A stream's ftell costs no system call, and glibc's fseek on it could go through
  // the buffer.)
  if (at >= 0 && regular) std::fseek(f, at, SEEK_SET);
  return s;
}

InputDigest PcapSource::Digest() {
  if (file_hasher_) return file_hasher_->Wait();
  if (stream_) return stream_->Finish();
  return {{}, "no input", 0};
}

bool PcapSource::stopped() const { return stream_ && stream_->stopped(); }

std::optional<Frame> PcapSource::Next() {
  if (!pcap_ || !damage_.ok()) return std::nullopt;
  return direct_ ? NextRecord() : NextFromLibpcap();
}

std::optional<Frame> PcapSource::NextFromLibpcap() {
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(pcap_.get(), &header, &data);
  if (rc == 1) {
    const long at = std::ftell(file_);
    if (at > 0) offset_ = static_cast<uint64_t>(at);
    const Frame frame{std::string_view(reinterpret_cast<const char*>(data), header->caplen),
                      static_cast<int64_t>(header->ts.tv_sec),
                      static_cast<uint32_t>(header->ts.tv_usec), header->len};
    Count(frame);
    return frame;
  }
  // A stream told to stop may end inside a record: that is the stop, not damage.
  if (rc != PCAP_ERROR_BREAK && !stopped()) SetDamage(pcap_geterr(pcap_.get()));
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
  // Times as libpcap 1.10 gives them, down to its quirks for out-of-range values: a file in
  // this machine's byte order has signed 32-bit fields (and a nanosecond fraction is divided as
  // a signed number), one written in the other order unsigned ones (SWAPLONG's result).
  int64_t seconds;
  uint32_t fraction;
  if (swapped_) {
    seconds = field[0];
    fraction = nanoseconds_ ? field[1] / 1000 : field[1];
  } else {
    seconds = static_cast<int32_t>(field[0]);
    fraction = static_cast<uint32_t>(nanoseconds_ ? static_cast<int32_t>(field[1]) / 1000
                                                  : static_cast<int32_t>(field[1]));
  }
  const Frame frame{std::string_view(data, std::min(caplen, snapshot_)), seconds, fraction,
                    field[3]};
  position_ += kRecordHeader + caplen;
  offset_ = position_;
  Count(frame);
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
                               " (after frame " + std::to_string(frames()) + "): " + what);
}

}  // namespace homeport::audit::capture
