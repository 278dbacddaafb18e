// PcapSource: frames of a pcap or pcapng capture, streamed (a bounded buffer, whatever the
// input's size), from a file or from a stream such as standard input
// (`tcpdump -w - | homeport audit capture -`). A damaged or truncated capture ends the stream
// early with a status that names the byte offset where the damage starts; the frames before it
// have been delivered. Move-only, not thread-safe.
//
// Digest() is the SHA-256 of the input's bytes: of a regular file, all of it, as `sha256sum`
// hashes it (computed on a thread of its own while the frames are read, so hashing costs no
// time on a machine with a spare core); of a stream, every byte read from it, to its end (a
// damaged stream is read on to its end for the digest, unless the source was told to stop).
#pragma once

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "audit/capture/frame_source.h"
#include "homeport/status.h"

struct pcap;

namespace homeport::audit::capture {

struct PcapStreamOptions {
  // When set (by a signal handler, say), a wait for more input ends the stream as if it had
  // ended there: checked at least every 250 ms. Null: read to the end of the stream.
  const volatile std::sig_atomic_t* stop = nullptr;
};

class PcapSource : public FrameSource {
 public:
  // Opens `path`; fails with InvalidArgument when it is neither pcap nor pcapng or its link
  // type is not one DecodeNetwork reads. A path that is not a regular file (a FIFO, /dev/stdin)
  // is read as a stream.
  static Result<PcapSource> Open(const std::string& path);

  // Reads the capture from `fd` (not closed; it must stay open as long as the source), as a
  // stream: never seeks or maps it, so a pipe works. `name` is what messages call it ("standard
  // input", say). Fails as Open does, and also when the stream ends before a file header.
  static Result<PcapSource> OpenStream(int fd, const std::string& name,
                                       PcapStreamOptions options = {});

  PcapSource(PcapSource&&) noexcept;
  PcapSource& operator=(PcapSource&&) noexcept;
  ~PcapSource();

  // The next frame, or nullopt at the end of the file, at damage (see damage()) or when told to
  // stop (PcapStreamOptions::stop).
  std::optional<Frame> Next() override;

  // Ok at a clean end; Corruption "…: damaged at byte offset N: <libpcap's words>" otherwise.
  const Status& damage() const override { return damage_; }
  int link_type() const override { return link_type_; }
  InputDigest Digest() override;
  // Bytes of the file read up to the end of the last frame delivered.
  uint64_t offset() const { return offset_; }
  uint64_t file_size() const { return file_size_; }
  // True when the stream ended because PcapStreamOptions::stop was set.
  bool stopped() const;

 private:
  PcapSource();
  static Result<PcapSource> Start(PcapSource s, std::FILE* f, bool regular);

  std::optional<Frame> NextFromLibpcap();
  std::optional<Frame> NextRecord();
  size_t Map(size_t wanted);
  void SetDamage(const std::string& what);

  // Hashes every byte a stream delivers (pcap_source.cc); declared before pcap_, which reads
  // through it and so must be closed first.
  class HashingStream;
  std::unique_ptr<HashingStream> stream_;
  // Hashes a regular file on a thread of its own (pcap_source.cc).
  class FileHasher;
  std::unique_ptr<FileHasher> file_hasher_;
  struct PcapCloser {
    void operator()(pcap* p) const;
  };
  std::unique_ptr<pcap, PcapCloser> pcap_;
  std::unique_ptr<char[]> stdio_buffer_;
  std::FILE* file_ = nullptr;  // owned by pcap_
  std::string path_;
  int link_type_ = 0;
  uint64_t offset_ = 0;
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
  bool nanoseconds_ = false;  // timestamps in nanoseconds (magic A1B23C4D)
  uint32_t snapshot_ = 0;  // the snap length libpcap settled on
  std::unique_ptr<const char, Unmap> window_;
  uint64_t window_start_ = 0;  // file offset of window_[0]
  uint64_t position_ = 0;      // file offset of the next record
};

}  // namespace homeport::audit::capture
