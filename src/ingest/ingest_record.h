// IngestRecord: what the ingest log holds — an accepted UX-program document or an erasure —
// and its framing on disk. A frame is [payload length u32][crc32 of payload u32][payload],
// little-endian, so replay tells a complete record from a torn or damaged one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "store/store.h"

namespace homeport {

using IngestRecord = std::variant<UxpDocument, ClientErasure>;

// Frame header bytes, and the largest payload a frame may declare: a stored document is at
// most 1 MB (kMaxStoredDocumentBytes) plus its short keys, so a larger length is damage.
inline constexpr size_t kFrameHeaderBytes = 8;
inline constexpr size_t kMaxFramePayloadBytes = 2 << 20;

// Appends the framed record to `out`.
void AppendFrame(const IngestRecord& record, std::string& out);

struct DecodedFrame {
  enum Outcome {
    kRecord,      // `record` holds the record, `size` bytes of input were its frame
    kIncomplete,  // the input ends inside the frame: a torn write at the end of a log
    kCorrupt,     // a length out of bounds, a checksum or a payload that does not decode
  };
  Outcome outcome = kIncomplete;
  IngestRecord record;
  size_t size = 0;
};

// The whole frame's size as its header declares it; `input` holds at least the header.
size_t DeclaredFrameSize(std::string_view input);

// Decodes the frame at the start of `input`.
DecodedFrame DecodeFrame(std::string_view input);

// Bytes a record takes in memory while it waits to be written (documents only are large).
size_t RecordBytes(const IngestRecord& record);

}  // namespace homeport
