// Checkpoint text: three fixed lines, then optional extension lines.
#include "tlog/checkpoint.h"

#include <algorithm>
#include <charconv>

#include "tlog/note_text.h"
#include "tlog/sha256.h"

namespace homeport::tlog {
namespace {

Status CheckLine(std::string_view line, std::string_view what) {
  if (line.find('\n') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " holds a newline");
  }
  return CheckNoteCharacters(line, what);
}

// The decimal tree size, digits only and without leading zeros ("0" for the empty tree).
Result<int64_t> ParseTreeSize(std::string_view line) {
  int64_t size = 0;
  const char* end = line.data() + line.size();
  const bool digits_only =
      !line.empty() && line.find_first_not_of("0123456789") == std::string_view::npos;
  if (!digits_only || (line.size() > 1 && line[0] == '0')) {
    return Status::InvalidArgument(
        "checkpoint tree size (line 2) is not a decimal number without leading zeros");
  }
  auto [ptr, ec] = std::from_chars(line.data(), end, size);
  if (ec != std::errc() || ptr != end) {
    return Status::InvalidArgument("checkpoint tree size (line 2) is beyond 2^63 - 1");
  }
  return size;
}

// The root hash: exactly 32 bytes, in the one canonical padded base64 form.
Result<Hash> ParseRootHash(std::string_view line) {
  auto root = HashFromBase64(line);
  if (!root.ok()) {
    return Status::InvalidArgument(
        "checkpoint root hash (line 3) is not 32 bytes of standard base64");
  }
  if (HashToBase64(*root) != line) {
    return Status::InvalidArgument(
        "checkpoint root hash (line 3) is not in canonical base64 (padded, no stray bits)");
  }
  return root;
}

}  // namespace

Result<std::string> FormatCheckpoint(const Checkpoint& checkpoint) {
  if (checkpoint.origin.empty()) return Status::InvalidArgument("checkpoint origin is empty");
  HOMEPORT_RETURN_IF_ERROR(CheckLine(checkpoint.origin, "checkpoint origin"));
  if (checkpoint.size < 0) {
    return Status::InvalidArgument("checkpoint tree size " + std::to_string(checkpoint.size) +
                                   " is negative");
  }
  std::string text = checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
                     HashToBase64(checkpoint.root) + "\n";
  for (const std::string& line : checkpoint.extensions) {
    if (line.empty()) return Status::InvalidArgument("checkpoint extension line is empty");
    HOMEPORT_RETURN_IF_ERROR(CheckLine(line, "checkpoint extension line"));
    text += line + "\n";
  }
  if (text.size() > kMaxCheckpointBytes) {
    return Status::InvalidArgument("checkpoint would be " + std::to_string(text.size()) +
                                   " bytes; at most " + std::to_string(kMaxCheckpointBytes));
  }
  return text;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  if (text.size() > kMaxCheckpointBytes) {
    return Status::ResourceExhausted("checkpoint is " + std::to_string(text.size()) +
                                     " bytes; at most " + std::to_string(kMaxCheckpointBytes));
  }
  HOMEPORT_RETURN_IF_ERROR(CheckNoteCharacters(text, "checkpoint"));
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument("checkpoint does not end with a newline");
  }
  std::vector<std::string_view> lines;
  for (size_t at = 0; at < text.size();) {
    const size_t eol = text.find('\n', at);
    lines.push_back(text.substr(at, eol - at));
    at = eol + 1;
  }
  if (lines.size() < 3) {
    return Status::InvalidArgument("checkpoint has " + std::to_string(lines.size()) +
                                   " lines; it needs origin, tree size and root hash");
  }
  Checkpoint checkpoint;
  if (lines[0].empty()) return Status::InvalidArgument("checkpoint origin (line 1) is empty");
  checkpoint.origin = std::string(lines[0]);
  HOMEPORT_ASSIGN_OR_RETURN(checkpoint.size, ParseTreeSize(lines[1]));
  HOMEPORT_ASSIGN_OR_RETURN(checkpoint.root, ParseRootHash(lines[2]));
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return Status::InvalidArgument("checkpoint extension line " + std::to_string(i + 1) +
                                     " is empty");
    }
    checkpoint.extensions.emplace_back(lines[i]);
  }
  return checkpoint;
}

}  // namespace homeport::tlog
