// Live capture through libpcap: pcap_create with the snap length and immediate mode (frames
// are handed over as they come, not when a kernel buffer block fills), then non-blocking reads
// and poll() on the capture's descriptor with a short timeout, so that the end of the duration
// and a stop request are noticed promptly without pcap_breakloop from a signal handler.
//
// Each frame delivered is also written with pcap_dump into a stdio FILE made with fopencookie,
// whose write function hashes the bytes (and copies them to --write's file): the digest is of
// the very file libpcap would write.
#include "audit/capture/live_source.h"

#include <pcap/pcap.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "audit/capture/packet_decoder.h"
#include "audit/sha256_hasher.h"

namespace homeport::audit::capture {
namespace {

// The poll timeout: how soon a stop request or the end of the duration is noticed.
constexpr int kPollMilliseconds = 250;
// The kernel's ring for the capture. libpcap's 2 MiB default drops frames of a burst while a
// large HTTP body is scanned; this is still a small, fixed amount.
constexpr int kBufferBytes = 16 << 20;

}  // namespace

class LiveSource::DumpStream {
 public:
  ~DumpStream() {
    if (dumper_ != nullptr) pcap_dump_close(dumper_);
    if (out_ != nullptr) std::fclose(out_);
  }

  Status Open(pcap_t* p, const std::string& write_path) {
    if (!write_path.empty()) {
      out_ = std::fopen(write_path.c_str(), "wbx");
      if (out_ == nullptr && errno == EEXIST) {
        return Status::AlreadyExists(write_path + ": exists already; the capture is not written "
                                                  "over another file");
      }
      if (out_ == nullptr) {
        return Status::IoError(write_path + ": cannot write: " + std::strerror(errno));
      }
      path_ = write_path;
    }
    cookie_io_functions_t io{};
    io.write = [](void* cookie, const char* bytes, size_t size) -> ssize_t {
      return static_cast<DumpStream*>(cookie)->Write(bytes, size);
    };
    std::FILE* f = fopencookie(this, "wb", io);
    if (f == nullptr) return Status::IoError("cannot set up the capture's digest");
    dumper_ = pcap_dump_fopen(p, f);
    if (dumper_ == nullptr) {
      std::fclose(f);
      return Status::IoError(std::string("cannot set up the capture's digest: ") + pcap_geterr(p));
    }
    return Status::Ok();
  }

  void Dump(const pcap_pkthdr* header, const u_char* data) {
    pcap_dump(reinterpret_cast<u_char*>(dumper_), header, data);
  }

  InputDigest Finish() {
    if (finished_) return digest_;
    finished_ = true;
    if (dumper_ != nullptr) {
      pcap_dump_close(dumper_);  // flushes the last bytes through Write
      dumper_ = nullptr;
    }
    if (out_ != nullptr && std::fclose(out_) != 0 && error_.empty()) {
      error_ = path_ + ": cannot write: " + std::strerror(errno);
    }
    out_ = nullptr;
    digest_.bytes = bytes_;
    if (error_.empty()) {
      digest_.sha256 = hasher_.FinishHex();
    } else {
      digest_.problem = error_;
    }
    return digest_;
  }

 private:
  ssize_t Write(const char* bytes, size_t size) {
    hasher_.Update(std::string_view(bytes, size));
    bytes_ += size;
    if (out_ != nullptr && std::fwrite(bytes, 1, size, out_) != size && error_.empty()) {
      error_ = path_ + ": cannot write: " + std::strerror(errno);
    }
    return static_cast<ssize_t>(size);
  }

  pcap_dumper_t* dumper_ = nullptr;
  std::FILE* out_ = nullptr;
  std::string path_;
  Sha256Hasher hasher_;
  uint64_t bytes_ = 0;
  std::string error_;
  bool finished_ = false;
  InputDigest digest_;
};

void LiveSource::PcapCloser::operator()(pcap* p) const { pcap_close(p); }

LiveSource::~LiveSource() = default;

Result<std::unique_ptr<LiveSource>> LiveSource::Open(const LiveCaptureOptions& options) {
  const std::string& name = options.interface;
  if (name.empty()) return Status::InvalidArgument("no interface to capture on");
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* raw = pcap_create(name.c_str(), errbuf);
  if (raw == nullptr) {
    return Status::InvalidArgument("cannot capture on \"" + name + "\": " + errbuf);
  }
  std::unique_ptr<LiveSource> s(new LiveSource());
  s->options_ = options;
  s->pcap_.reset(raw);
  pcap_t* p = raw;
  pcap_set_snaplen(p, std::clamp(options.snap_length, 64, 262144));
  pcap_set_immediate_mode(p, 1);
  pcap_set_buffer_size(p, kBufferBytes);
  const int rc = pcap_activate(p);
  if (rc < 0) {
    const std::string detail = pcap_geterr(p);
    switch (rc) {
      case PCAP_ERROR_NO_SUCH_DEVICE:
        return Status::NotFound("no interface \"" + name + "\" to capture on: " + detail +
                                " (`ip link` lists the interfaces)");
      case PCAP_ERROR_PERM_DENIED:
        return Status::PermissionDenied(
            "no permission to capture on \"" + name +
            "\": capturing needs root or the CAP_NET_RAW capability (" + detail + ")");
      case PCAP_ERROR_IFACE_NOT_UP:
        return Status::InvalidArgument("interface \"" + name + "\" is down");
      default:
        return Status::IoError("cannot capture on \"" + name + "\": " +
                               pcap_statustostr(rc) + (detail.empty() ? "" : ": " + detail));
    }
  }
  s->link_type_ = pcap_datalink(p);
  if (!IsSupportedLinkType(s->link_type_)) {
    const char* link = pcap_datalink_val_to_name(s->link_type_);
    return Status::InvalidArgument("interface \"" + name + "\" has link type " +
                                   std::to_string(s->link_type_) + " (" +
                                   (link ? link : "unknown") +
                                   "), which is not read; Ethernet, Linux cooked, raw IP and "
                                   "loopback interfaces are");
  }
  if (!options.filter.empty()) {
    bpf_program program{};
    if (pcap_compile(p, &program, options.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return Status::InvalidArgument("capture filter \"" + options.filter +
                                     "\" is not valid: " + pcap_geterr(p));
    }
    const int set = pcap_setfilter(p, &program);
    pcap_freecode(&program);
    if (set != 0) {
      return Status::InvalidArgument("capture filter \"" + options.filter +
                                     "\" cannot be applied: " + pcap_geterr(p));
    }
  }
  if (pcap_setnonblock(p, 1, errbuf) != 0) {
    return Status::IoError("cannot capture on \"" + name + "\": " + errbuf);
  }
  if (pcap_get_selectable_fd(p) < 0) {
    return Status::InvalidArgument("interface \"" + name + "\" cannot be waited on");
  }
  s->dump_ = std::make_unique<DumpStream>();
  HOMEPORT_RETURN_IF_ERROR(s->dump_->Open(p, options.write_path));
  s->deadline_ = options.duration.count() > 0
                     ? std::chrono::steady_clock::now() + options.duration
                     : std::chrono::steady_clock::time_point::max();
  return s;
}

std::optional<Frame> LiveSource::Next() {
  if (ended_) return std::nullopt;
  pcap_t* p = pcap_.get();
  for (;;) {
    if (options_.stop != nullptr && *options_.stop) {
      stopped_ = true;
      End();
      return std::nullopt;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline_) {
      End();
      return std::nullopt;
    }
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(p, &header, &data);
    if (rc == 1) {
      dump_->Dump(header, data);
      const Frame frame{std::string_view(reinterpret_cast<const char*>(data), header->caplen),
                        static_cast<int64_t>(header->ts.tv_sec),
                        static_cast<uint32_t>(header->ts.tv_usec), header->len};
      Count(frame);
      return frame;
    }
    if (rc < 0) {
      damage_ = Status::IoError("capture on \"" + options_.interface +
                                "\" failed: " + pcap_geterr(p));
      End();
      return std::nullopt;
    }
    // Nothing waiting: sleep until a frame comes, the deadline passes or a signal arrives.
    auto wait = std::chrono::milliseconds(kPollMilliseconds);
    if (deadline_ != std::chrono::steady_clock::time_point::max()) {
      wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(deadline_ - now));
    }
    pollfd fd{pcap_get_selectable_fd(p), POLLIN, 0};
    poll(&fd, 1, static_cast<int>(wait.count()));
  }
}

void LiveSource::End() {
  ended_ = true;
  pcap_stat stats{};
  if (pcap_stats(pcap_.get(), &stats) == 0) {
    dropped_ = uint64_t{stats.ps_drop} + uint64_t{stats.ps_ifdrop};
  }
}

InputDigest LiveSource::Digest() { return dump_->Finish(); }

}  // namespace homeport::audit::capture
