// A checkpoint: the text of a log's signed tree head (c2sp.org/tlog-checkpoint).
//
//   <origin>\n<tree size in decimal>\n<root hash, standard base64>\n[extension line\n]...
//
// The log signs it as a note (tlog/signed_note.h); witnesses cosign it. Parsing is strict, so
// that one tree head has exactly one text: the size without leading zeros, the hash in its one
// canonical base64 form, every line terminated. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "homeport/status.h"
#include "tlog/merkle.h"

namespace homeport::tlog {

// Far above any real checkpoint (about 100 bytes without extensions), far below a note's limit.
inline constexpr size_t kMaxCheckpointBytes = 8 * 1024;

struct Checkpoint {
  std::string origin;  // identifies the log, e.g. "homeport.example/log/sg"
  int64_t size = 0;    // entries in the tree
  Hash root{};         // the tree's RFC 9162 root hash
  // Opaque non-empty lines after the root hash, without their newlines. The spec discourages
  // them: monitors cannot audit them.
  std::vector<std::string> extensions;

  bool operator==(const Checkpoint&) const = default;
};

// The checkpoint's text. InvalidArgument for what cannot be written so that ParseCheckpoint
// reads it back: an empty origin, a negative size, a line holding a newline or control
// character, an empty extension line, or more than kMaxCheckpointBytes in all.
Result<std::string> FormatCheckpoint(const Checkpoint& checkpoint);

// Reads a checkpoint's text (a note's text, ending in a newline). InvalidArgument naming the
// line that is wrong; ResourceExhausted beyond kMaxCheckpointBytes.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

}  // namespace homeport::tlog
