#include "store/log_append.h"

namespace homeport {

namespace {

// The target's stored hashes with those of the batch being appended (from index `first` on)
// laid over them, so that a later entry of the batch reads the earlier ones' from memory.
class BatchHashes final : public tlog::HashReader {
 public:
  BatchHashes(tlog::HashReader& stored, int64_t first) : stored_(stored), first_(first) {}

  Result<std::vector<tlog::Hash>> ReadHashes(std::span<const int64_t> indexes) override {
    std::vector<int64_t> older;
    for (int64_t i : indexes) {
      if (i < first_) older.push_back(i);
    }
    std::vector<tlog::Hash> read;
    if (!older.empty()) {
      HOMEPORT_ASSIGN_OR_RETURN(read, stored_.ReadHashes(older));
    }
    std::vector<tlog::Hash> out;
    size_t next_older = 0;
    for (int64_t i : indexes) {
      if (i < first_) {
        out.push_back(read[next_older++]);
      } else if (i - first_ < static_cast<int64_t>(added.size())) {
        out.push_back(added[static_cast<size_t>(i - first_)]);
      } else {
        return Status::NotFound("the log's stored hash " + std::to_string(i) + " is missing");
      }
    }
    return out;
  }

  std::vector<tlog::Hash> added;  // the batch's stored hashes, from index `first` on

 private:
  tlog::HashReader& stored_;
  const int64_t first_;
};

}  // namespace

Result<int64_t> AppendLogEntries(LogAppendTarget& target, std::span<const std::string> entries) {
  HOMEPORT_ASSIGN_OR_RETURN(int64_t n, target.LockedLogSize());
  if (entries.empty()) return n;
  const int64_t first_hash = tlog::StoredHashIndex(0, n);
  if (first_hash < 0) return Status::ResourceExhausted("the log is full");
  BatchHashes hashes(target, first_hash);
  for (size_t i = 0; i < entries.size(); ++i) {
    const int64_t index = n + static_cast<int64_t>(i);
    HOMEPORT_ASSIGN_OR_RETURN(std::vector<tlog::Hash> added,
                              tlog::StoredHashesForAppend(index, entries[i], hashes));
    // Entry `index`'s hashes start at its leaf's place: right after the previous entry's.
    if (tlog::StoredHashIndex(0, index) != first_hash + static_cast<int64_t>(hashes.added.size())) {
      return Status::Internal("the log's stored hashes are not consecutive");
    }
    hashes.added.insert(hashes.added.end(), added.begin(), added.end());
  }
  HOMEPORT_RETURN_IF_ERROR(target.WriteLogEntries(n, entries, first_hash, hashes.added));
  return n;
}

Result<int64_t> AppendLogEntry(LogAppendTarget& target, std::string_view entry) {
  const std::string one[] = {std::string(entry)};
  return AppendLogEntries(target, one);
}

std::string HashToHex(const tlog::Hash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(hash.size() * 2);
  for (unsigned char b : hash) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xF];
  }
  return out;
}

Result<tlog::Hash> HashFromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  tlog::Hash out{};
  if (hex.size() != out.size() * 2) {
    return Status::Corruption("a stored log hash is not 64 hex digits");
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::Corruption("a stored log hash is not 64 hex digits");
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return out;
}

}  // namespace homeport
