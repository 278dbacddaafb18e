// IngestLog: the point of durability of UX-program documents and erasures (S5). Request
// threads append; one writer thread writes everything waiting in one sequential write, syncs
// it once (group commit) and only then completes each append. Records live in segment files
// DIR/<number>.seg, numbered in the order they were written; the IngestLoader reads them back,
// moves them into the Store and releases what it has loaded, which deletes those segments.
//
// Bounded: an append that would take the log (segment files plus appends waiting) past
// `max_bytes` is refused, and the handler answers 503 + Retry-After.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <compare>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "homeport/env.h"
#include "ingest/ingest_record.h"

namespace homeport {

struct IngestLogOptions {
  std::string dir;                               // required; created owner-only if missing
  uint64_t max_bytes = uint64_t{1} << 30;        // 1 GiB: segment files and appends waiting
  uint64_t segment_bytes = uint64_t{64} << 20;   // a segment is sealed once past 64 MiB...
  std::chrono::milliseconds seal_after{10'000};  // ...or 10 s after it was opened, so loaded
                                                 // records do not stay on disk for long
  bool sync = true;  // fdatasync before acknowledging; off only where durability is not what
                     // is tested (fuzzing, logic tests)
};

Status ValidateIngestLogOptions(const IngestLogOptions& o);

// A place in the log: the segment and the byte offset in it. Positions handed out are the end
// of a record; ordered as the records were written.
struct LogPosition {
  uint64_t segment = 0;
  uint64_t offset = 0;
  auto operator<=>(const LogPosition&) const = default;
};

struct LogRead {
  struct Entry {
    IngestRecord record;
    LogPosition end;  // the position just after this record
  };
  std::vector<Entry> entries;
  LogPosition next;  // where the following read starts
};

class IngestLog {
 public:
  // Recovers what `options.dir` holds. A torn record at the end of the last segment (a crash
  // during a write, so never acknowledged) is cut off; damage anywhere else is a Corruption
  // error naming the file and offset. Locks the directory: one process per log.
  static Result<std::unique_ptr<IngestLog>> Open(IngestLogOptions options, Env* env);
  ~IngestLog();  // Stop()

  IngestLog(const IngestLog&) = delete;
  IngestLog& operator=(const IngestLog&) = delete;

  // `done` runs on the writer thread once the record is durable (and visible to readers), with
  // the position just after it, or with the write's error (then the record is not in the log).
  using Appended = std::function<void(Status, LogPosition)>;
  // False, without calling `done`, when the log is full, stopping, or cannot be written.
  bool Append(IngestRecord record, Appended done);

  // Records from `from` on, up to what is durable and about `max_bytes` (at least one record
  // when there is one), all of one segment.
  Result<LogRead> Read(LogPosition from, size_t max_bytes);
  // True once something durable lies beyond `from`; false after `wait` or when stopped.
  bool WaitForMore(LogPosition from, std::chrono::milliseconds wait);
  // The position after the last durable record.
  LogPosition Durable() const;
  // Deletes every sealed segment that ends at or before `loaded`.
  Status Release(LogPosition loaded);
  // The oldest segment still on disk; a record of an older one has been released.
  uint64_t FirstSegment() const;
  // Bytes on disk plus appends waiting.
  uint64_t Bytes() const;
  // Durable bytes after `p`: what a reader at `p` has yet to read.
  uint64_t BytesAfter(LogPosition p) const;
  // The first segment this process writes; older ones were recovered at Open.
  uint64_t FirstNewSegment() const { return first_new_segment_; }

  // Writes and syncs what is waiting, then stops the writer; later appends are refused.
  void Stop();

 private:
  struct Segment {
    uint64_t size = 0;  // durable bytes
    bool sealed = false;
  };
  struct Pending {
    IngestRecord record;
    Appended done;
    size_t bytes = 0;
  };

  IngestLog(IngestLogOptions options, Env* env, int lock_fd);
  Status Recover();
  std::string PathOf(uint64_t segment) const;
  LogPosition NormalizeLocked(LogPosition p) const;
  LogPosition DurableLocked() const;
  void Run();
  void WriteBatch(std::vector<Pending>& batch);
  void SealLocked();

  const IngestLogOptions options_;
  Env* const env_;
  const int lock_fd_;

  mutable std::mutex mu_;
  std::condition_variable work_;     // the writer waits for appends
  std::condition_variable durable_;  // readers wait for records
  std::vector<Pending> queue_;
  uint64_t queued_bytes_ = 0;
  uint64_t disk_bytes_ = 0;
  std::map<uint64_t, Segment> segments_;
  uint64_t next_segment_ = 1;
  uint64_t first_new_segment_ = 1;
  bool stopping_ = false;
  Status broken_;  // set when a failed write could not be undone: appends are refused

  // Writer thread only.
  std::unique_ptr<AppendableFile> current_;
  uint64_t current_segment_ = 0;
  std::chrono::steady_clock::time_point current_opened_;

  std::thread thread_;
};

}  // namespace homeport
