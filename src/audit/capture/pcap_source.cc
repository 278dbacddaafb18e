// libpcap reads both formats through pcap_fopen_offline. We open the FILE ourselves to give it
// a large buffer (libpcap reads record by record; a 1 MiB stdio buffer turns that into few
// system calls) and so that ftell can say where damage starts.
#include "audit/capture/pcap_source.h"

#include <pcap/pcap.h>
#include <sys/stat.h>

#include "audit/capture/packet_decoder.h"

namespace homeport::audit::capture {
namespace {

constexpr size_t kStdioBuffer = 1 << 20;

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
  if (rc != PCAP_ERROR_BREAK) {
    damage_ = Status::Corruption(path_ + ": damaged at byte offset " + std::to_string(offset_) +
                                 " (after frame " + std::to_string(frames_) +
                                 "): " + pcap_geterr(pcap_.get()));
  }
  return std::nullopt;
}

}  // namespace homeport::audit::capture
