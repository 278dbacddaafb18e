// Appending to a region's transparency log inside a backend's open transaction, the same steps
// on every backend: read the log's size (locked until the transaction ends, so that appenders
// of every server take turns), compute the stored hashes the new entry adds (tlog/merkle.h) from
// the few earlier ones they depend on, and write the entry with them. The entry is committed
// with the change it records, or not at all (S7).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "homeport/status.h"
#include "tlog/merkle.h"

namespace homeport {

class LogAppendTarget : public tlog::HashReader {
 public:
  // The number of entries, locked against other appenders until the transaction ends.
  virtual Result<int64_t> LockedLogSize() = 0;
  // Writes `entries` as entries first_index, first_index + 1, …, the stored hashes they add
  // (consecutive from index `first_hash_index`), and the new size.
  virtual Status WriteLogEntries(int64_t first_index, std::span<const std::string> entries,
                                 int64_t first_hash_index, std::span<const tlog::Hash> hashes) = 0;
};

// Appends `entries` in order, in one write; returns the index of the first. The hashes each
// entry needs are read once for the whole batch where they are older than it.
Result<int64_t> AppendLogEntries(LogAppendTarget& target, std::span<const std::string> entries);
// Appends `entry`; returns its index.
Result<int64_t> AppendLogEntry(LogAppendTarget& target, std::string_view entry);

// Stored hashes are kept as lower-case hex text in both backends.
std::string HashToHex(const tlog::Hash& hash);
Result<tlog::Hash> HashFromHex(std::string_view hex);

}  // namespace homeport
