// LiveSource: frames captured live on a network interface through libpcap, for
// `homeport audit capture --interface IF`. It ends when the duration is up or when told to stop
// (a flag a signal handler sets), whichever comes first; either way what was captured is
// analysed and reported. Capturing needs root or CAP_NET_RAW.
//
// Digest() is the SHA-256 of the pcap file libpcap writes of the frames delivered (pcap_dump:
// its file header, then each frame's record), which is the file LiveCaptureOptions::write_path
// names when given: `sha256sum` of that file equals the digest. Not thread-safe.
#pragma once

#include <chrono>
#include <csignal>
#include <memory>
#include <string>

#include "audit/capture/frame_source.h"
#include "homeport/status.h"

struct pcap;

namespace homeport::audit::capture {

struct LiveCaptureOptions {
  std::string interface;  // e.g. "eth0", "lo", "any"; required
  // A capture filter in libpcap's language (as tcpdump takes it). Empty: every frame.
  std::string filter;
  // Bytes kept of each frame. Default 262144, libpcap's largest: frames are not cut short.
  int snap_length = 262144;
  // How long to capture. Zero (the default): until `stop` is set.
  std::chrono::milliseconds duration{0};
  // When set (by a signal handler), the capture ends within 250 ms. May be null.
  const volatile std::sig_atomic_t* stop = nullptr;
  // Also writes the frames as a pcap file there (as `tcpdump -w` does). Empty: nowhere.
  std::string write_path;
};

class LiveSource : public FrameSource {
 public:
  // Starts capturing. Errors say what to do: an unknown interface (NotFound), no permission
  // (PermissionDenied: needs root or CAP_NET_RAW), a filter libpcap cannot compile
  // (InvalidArgument, with libpcap's words), an interface whose link type is not read.
  static Result<std::unique_ptr<LiveSource>> Open(const LiveCaptureOptions& options);
  ~LiveSource() override;

  std::optional<Frame> Next() override;
  int link_type() const override { return link_type_; }
  const Status& damage() const override { return damage_; }
  InputDigest Digest() override;

  // Frames the kernel or the interface dropped because they came faster than they were read;
  // known once Next() has returned nullopt.
  uint64_t dropped() const { return dropped_; }
  // True when the capture ended because `stop` was set, false when its duration was up.
  bool stopped() const { return stopped_; }

 private:
  LiveSource() = default;
  void End();

  struct PcapCloser {
    void operator()(pcap* p) const;
  };
  class DumpStream;
  LiveCaptureOptions options_;
  std::unique_ptr<DumpStream> dump_;  // outlives pcap_, whose dumper writes into it
  std::unique_ptr<pcap, PcapCloser> pcap_;
  std::chrono::steady_clock::time_point deadline_;
  int link_type_ = 0;
  Status damage_;
  uint64_t dropped_ = 0;
  bool ended_ = false;
  bool stopped_ = false;
};

}  // namespace homeport::audit::capture
