// FrameSource: where captured frames come from — a capture file, a capture on standard input,
// or a live capture on an interface — seen the same way by the analysis, together with what the
// provenance of the report needs: the input's SHA-256 as read and the first and last frames'
// timestamps. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "homeport/status.h"

namespace homeport::audit::capture {

struct Frame {
  std::string_view data;         // the captured bytes; valid until the next call to Next()
  int64_t seconds = 0;           // capture time, seconds since the epoch…
  uint32_t microseconds = 0;     // …and the microseconds past them
  uint32_t original_length = 0;  // length on the wire (data may be shorter: snap length)
};

struct FrameTime {
  int64_t seconds = 0;
  uint32_t microseconds = 0;
};

// The SHA-256 of a source's input. What it covers depends on the source (see each one).
struct InputDigest {
  std::string sha256;   // lower-case hex; empty when it could not be computed…
  std::string problem;  // …and then why
  uint64_t bytes = 0;   // bytes hashed
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;

  // The next frame, or nullopt at the end of the input, at damage (see damage()), or when the
  // source was told to stop.
  virtual std::optional<Frame> Next() = 0;
  // The frames' link type (a libpcap DLT_ value).
  virtual int link_type() const = 0;
  // Ok at a clean end; Corruption or IoError naming what went wrong otherwise.
  virtual const Status& damage() const = 0;
  // The digest of the input; call after Next() returned nullopt. May finish reading the input
  // (a damaged stream is hashed to its end), so call it once.
  virtual InputDigest Digest() = 0;

  uint64_t frames() const { return frames_; }
  const std::optional<FrameTime>& first_frame_time() const { return first_; }
  const std::optional<FrameTime>& last_frame_time() const { return last_; }

 protected:
  // Every source calls this for each frame it delivers.
  void Count(const Frame& frame) {
    ++frames_;
    last_ = FrameTime{frame.seconds, frame.microseconds};
    if (!first_) first_ = last_;
  }

 private:
  uint64_t frames_ = 0;
  std::optional<FrameTime> first_, last_;
};

}  // namespace homeport::audit::capture
