// PcapSource: frames of a pcap or pcapng file, streamed (a bounded buffer, whatever the file's
// size). A damaged or truncated file ends the stream early with a status that names the byte
// offset where the damage starts; the frames before it have been delivered. Move-only, not
// thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "homeport/status.h"

struct pcap;

namespace homeport::audit::capture {

struct Frame {
  std::string_view data;         // the captured bytes; valid until the next call to Next()
  int64_t seconds = 0;           // capture time, seconds since the epoch
  uint32_t original_length = 0;  // length on the wire (data may be shorter: snap length)
};

class PcapSource {
 public:
  // Opens `path`; fails with InvalidArgument when it is neither pcap nor pcapng or its link
  // type is not one DecodeNetwork reads.
  static Result<PcapSource> Open(const std::string& path);

  PcapSource(PcapSource&&) noexcept;
  PcapSource& operator=(PcapSource&&) noexcept;
  ~PcapSource();

  // The next frame, or nullopt at the end of the file or at damage (see damage()).
  std::optional<Frame> Next();

  // Ok at a clean end; Corruption "…: damaged at byte offset N: <libpcap's words>" otherwise.
  const Status& damage() const { return damage_; }
  int link_type() const { return link_type_; }
  // Bytes of the file read up to the end of the last frame delivered.
  uint64_t offset() const { return offset_; }
  uint64_t frames() const { return frames_; }
  uint64_t file_size() const { return file_size_; }

 private:
  PcapSource() = default;

  std::optional<Frame> NextFromLibpcap();
  std::optional<Frame> NextRecord();
  size_t Map(size_t wanted);
  void SetDamage(const std::string& what);

  struct PcapCloser {
    void operator()(pcap* p) const;
  };
  std::unique_ptr<pcap, PcapCloser> pcap_;
  std::unique_ptr<char[]> stdio_buffer_;
  std::FILE* file_ = nullptr;  // owned by pcap_
  std::string path_;
  int link_type_ = 0;
  uint64_t offset_ = 0;
  uint64_t frames_ = 0;
  uint64_t file_size_ = 0;
  Status damage_;

  // Classic pcap's records, read straight from a window of the file mapped into memory (see
  // pcap_source.cc). Unused for pcapng and the rarer pcap layouts, which libpcap reads.
  struct Unmap {
    size_t length;  // value-initialised (0) with the window empty
    void operator()(const char* window) const;
  };
  bool direct_ = false;
  bool swapped_ = false;   // written in the other byte order
  uint32_t snapshot_ = 0;  // the snap length libpcap settled on
  std::unique_ptr<const char, Unmap> window_;
  uint64_t window_start_ = 0;  // file offset of window_[0]
  uint64_t position_ = 0;      // file offset of the next record
};

}  // namespace homeport::audit::capture
