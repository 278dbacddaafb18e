// A capture file read both ways PcapSource reads: as a file (classic pcap straight from a memory
// map, the rest through libpcap) and as a stream (everything through libpcap, via the hashing
// stdio stream standard input uses). The two must deliver the same frames with the same times
// and agree on damage, and each digest must be the SHA-256 of the input: the file's on a
// thread of its own, the stream's as read.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "audit/capture/pcap_source.h"
#include "audit/sha256_hasher.h"
#include "fuzz/fuzz_input_file.h"

namespace {

using homeport::audit::capture::PcapSource;

struct Read {
  std::vector<std::string> frames;
  std::vector<int64_t> seconds;
  std::vector<uint32_t> microseconds, lengths;
  bool damaged = false;
};

Read Drain(PcapSource& source) {
  Read r;
  while (auto f = source.Next()) {
    r.frames.emplace_back(f->data);
    r.seconds.push_back(f->seconds);
    r.microseconds.push_back(f->microseconds);
    r.lengths.push_back(f->original_length);
  }
  r.damaged = !source.damage().ok();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* file = new homeport::fuzzing::InputFile(".pcap");
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string& path = file->Write(bytes);
  homeport::audit::Sha256Hasher hasher;
  hasher.Update(bytes);
  const std::string sha256 = hasher.FinishHex();

  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) abort();
  {
    auto as_file = PcapSource::Open(path);
    auto as_stream = PcapSource::OpenStream(fd, path);  // destroyed before fd is closed
    if (as_file.ok() != as_stream.ok()) abort();
    if (as_file.ok()) {
      const Read a = Drain(*as_file);
      const Read b = Drain(*as_stream);
      if (a.frames != b.frames || a.seconds != b.seconds || a.microseconds != b.microseconds ||
          a.lengths != b.lengths || a.damaged != b.damaged) {
        abort();
      }
      if (as_file->Digest().sha256 != sha256) abort();
      if (as_stream->Digest().sha256 != sha256) abort();
      if (a.frames.size() != as_file->frames()) abort();
      if (!a.frames.empty() && (as_file->first_frame_time()->seconds != a.seconds.front() ||
                                as_file->last_frame_time()->seconds != a.seconds.back())) {
        abort();
      }
    }
  }
  close(fd);
  return 0;
}
