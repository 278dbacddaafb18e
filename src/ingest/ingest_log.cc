// The ingest log's segments, its group-commit writer and its recovery.
#include "ingest/ingest_log.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace homeport {
namespace {

constexpr size_t kMaxWriteBytes = 16 << 20;  // one write and sync take at most this much
constexpr const char* kSuffix = ".seg";

// "00000000000000000042.seg" → 42; anything else is not a segment.
std::optional<uint64_t> SegmentNumber(const std::string& name) {
  if (name.size() != 20 + std::strlen(kSuffix) || !name.ends_with(kSuffix)) return std::nullopt;
  uint64_t n = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  return n;
}

}  // namespace

Status ValidateIngestLogOptions(const IngestLogOptions& o) {
  if (o.dir.empty()) return Status::InvalidArgument("the ingest log needs a directory");
  if (o.max_bytes < (uint64_t{16} << 20)) {
    return Status::InvalidArgument("--ingest-log-max-bytes must be at least 16 MiB");
  }
  if (o.segment_bytes < (uint64_t{1} << 20) || o.segment_bytes > o.max_bytes / 4) {
    return Status::InvalidArgument(
        "an ingest log segment must be 1 MiB or more and at most a quarter of the log's size");
  }
  if (o.seal_after.count() <= 0) {
    return Status::InvalidArgument("the ingest log's seal interval must be positive");
  }
  return Status::Ok();
}

Result<std::unique_ptr<IngestLog>> IngestLog::Open(IngestLogOptions options, Env* env) {
  HOMEPORT_RETURN_IF_ERROR(ValidateIngestLogOptions(options));
  HOMEPORT_RETURN_IF_ERROR(env->CreateDirs(options.dir));
  // Segments hold UX-program documents: the directory is the owner's alone, whatever the umask.
  if (::chmod(options.dir.c_str(), 0700) != 0) {
    return Status::IoError("cannot make " + options.dir + " owner-only: " + std::strerror(errno));
  }
  const std::string lock_path = options.dir + "/LOCK";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status::Unavailable("the ingest log " + options.dir +
                               " is in use by another process; each server needs its own");
  }
  std::unique_ptr<IngestLog> log(new IngestLog(std::move(options), env, fd));
  HOMEPORT_RETURN_IF_ERROR(log->Recover());
  log->thread_ = std::thread([l = log.get()] { l->Run(); });
  return log;
}

IngestLog::IngestLog(IngestLogOptions options, Env* env, int lock_fd)
    : options_(std::move(options)), env_(env), lock_fd_(lock_fd) {}

IngestLog::~IngestLog() {
  Stop();
  ::close(lock_fd_);  // releases the lock
}

std::string IngestLog::PathOf(uint64_t segment) const {
  char name[32];
  std::snprintf(name, sizeof name, "%020llu%s", static_cast<unsigned long long>(segment), kSuffix);
  return options_.dir + "/" + name;
}

// Every record of every segment is checked before the server takes a request, so the loader
// never meets damage it could only skip.
Status IngestLog::Recover() {
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(options_.dir));
  std::vector<uint64_t> numbers;
  for (const auto& name : names) {
    if (auto n = SegmentNumber(name)) numbers.push_back(*n);
  }
  std::sort(numbers.begin(), numbers.end());
  for (size_t i = 0; i < numbers.size(); ++i) {
    const std::string path = PathOf(numbers[i]);
    HOMEPORT_ASSIGN_OR_RETURN(std::string bytes, env_->ReadFile(path));
    std::string_view rest = bytes;
    uint64_t valid = 0;
    while (!rest.empty()) {
      DecodedFrame f = DecodeFrame(rest);
      if (f.outcome != DecodedFrame::kRecord) break;
      valid += f.size;
      rest.remove_prefix(f.size);
    }
    if (valid < bytes.size()) {
      const bool last = i + 1 == numbers.size();
      if (!last) {
        return Status::Corruption("ingest log segment " + path + " is damaged at byte " +
                                  std::to_string(valid) +
                                  "; move it aside to start without its records");
      }
      // A write the crash interrupted: never synced, so never acknowledged.
      HOMEPORT_ASSIGN_OR_RETURN(auto file, env_->OpenAppendable(path));
      HOMEPORT_RETURN_IF_ERROR(file->Truncate(valid));
      HOMEPORT_RETURN_IF_ERROR(file->Sync());
      spdlog::warn("ingest log: cut {} bytes of an interrupted write from the end of {}",
                   bytes.size() - valid, path);
    }
    if (valid == 0) {
      HOMEPORT_RETURN_IF_ERROR(env_->RemoveFile(path));
      continue;
    }
    segments_[numbers[i]] = Segment{valid, /*sealed=*/true};
    disk_bytes_ += valid;
  }
  if (!numbers.empty()) next_segment_ = numbers.back() + 1;
  first_new_segment_ = next_segment_;
  if (!segments_.empty()) {
    spdlog::info("ingest log: {} bytes in {} segments to load", disk_bytes_, segments_.size());
  }
  return Status::Ok();
}

bool IngestLog::Append(IngestRecord record, Appended done) {
  const size_t bytes = RecordBytes(record);
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !broken_.ok() || disk_bytes_ + queued_bytes_ + bytes > options_.max_bytes) {
      return false;
    }
    queued_bytes_ += bytes;
    queue_.push_back({std::move(record), std::move(done), bytes});
  }
  work_.notify_one();
  return true;
}

void IngestLog::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_.notify_one();
  durable_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void IngestLog::Run() {
  std::vector<Pending> batch;
  std::unique_lock lock(mu_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_) break;
      if (current_) {
        auto seal_at = current_opened_ + options_.seal_after;
        work_.wait_until(lock, seal_at, [&] { return stopping_ || !queue_.empty(); });
        // Idle since the segment was opened: seal it, so that the loader can release it.
        if (queue_.empty() && std::chrono::steady_clock::now() >= seal_at) SealLocked();
      } else {
        work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      }
      continue;
    }
    size_t bytes = 0, n = 0;
    while (n < queue_.size() && (n == 0 || bytes + queue_[n].bytes <= kMaxWriteBytes)) {
      bytes += queue_[n++].bytes;
    }
    std::move(queue_.begin(), queue_.begin() + static_cast<long>(n), std::back_inserter(batch));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(n));
    lock.unlock();
    WriteBatch(batch);
    batch.clear();
    lock.lock();
  }
  SealLocked();
}

void IngestLog::SealLocked() {
  if (!current_) return;
  current_.reset();
  segments_[current_segment_].sealed = true;
  durable_.notify_all();
}

void IngestLog::WriteBatch(std::vector<Pending>& batch) {
  uint64_t base = 0, segment = 0;
  uint64_t queued = 0;
  for (const auto& p : batch) queued += p.bytes;
  Status st = Status::Ok();
  {
    std::lock_guard lock(mu_);
    if (current_ && (segments_[current_segment_].size >= options_.segment_bytes ||
                     std::chrono::steady_clock::now() - current_opened_ >= options_.seal_after)) {
      SealLocked();
    }
    st = broken_;
  }
  if (st.ok() && !current_) {
    // A new segment: its number is taken under the lock, its file is created outside it.
    uint64_t number;
    {
      std::lock_guard lock(mu_);
      number = next_segment_++;
    }
    auto file = env_->OpenAppendable(PathOf(number));
    if (file.ok()) {
      std::lock_guard lock(mu_);
      current_ = std::move(*file);
      current_segment_ = number;
      current_opened_ = std::chrono::steady_clock::now();
      segments_[number] = Segment{};
    } else {
      st = file.status();
    }
  }

  std::string buffer;
  std::vector<LogPosition> ends;
  bool erases = false;
  if (st.ok()) {
    std::lock_guard lock(mu_);
    segment = current_segment_;
    base = segments_[segment].size;
  }
  if (st.ok()) {
    ends.reserve(batch.size());
    for (const auto& p : batch) {
      AppendFrame(p.record, buffer);
      ends.push_back({segment, base + buffer.size()});
      erases = erases || std::holds_alternative<ClientErasure>(p.record);
    }
    st = current_->Append(buffer);
    if (st.ok() && options_.sync) st = current_->Sync();
    if (!st.ok()) {
      // Nothing of the batch is acknowledged; the bytes that reached the file go again, or, if
      // they cannot, the log stops taking appends (a restart cuts them as a torn write).
      Status undone = current_->Truncate(base);
      std::lock_guard lock(mu_);
      if (!undone.ok()) {
        broken_ = Status::IoError("the ingest log cannot be written: " + st.message());
        spdlog::error("ingest log: {}; {}", st.ToString(), undone.ToString());
        SealLocked();
      }
    }
  }
  if (!st.ok()) spdlog::warn("ingest log: write failed: {}", st.ToString());

  {
    std::lock_guard lock(mu_);
    queued_bytes_ -= queued;
    if (st.ok()) {
      segments_[segment].size += buffer.size();
      disk_bytes_ += buffer.size();
      // The segment of an erasure is closed at once, so that the loader can delete it, and
      // with it the erased client's documents, as soon as the erasure is in the store.
      if (erases) SealLocked();
    }
  }
  durable_.notify_all();
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].done) batch[i].done(st, st.ok() ? ends[i] : LogPosition{});
  }
}

LogPosition IngestLog::NormalizeLocked(LogPosition p) const {
  auto it = segments_.lower_bound(p.segment);
  if (it == segments_.end()) return p.segment < next_segment_ ? LogPosition{next_segment_, 0} : p;
  if (it->first != p.segment) return {it->first, 0};  // released, or never written
  if (it->second.sealed && p.offset >= it->second.size) {
    auto next = std::next(it);
    if (next != segments_.end()) return {next->first, 0};
  }
  return p;
}

LogPosition IngestLog::DurableLocked() const {
  for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
    if (it->second.size > 0) return {it->first, it->second.size};
  }
  return {segments_.empty() ? next_segment_ : segments_.begin()->first, 0};
}

LogPosition IngestLog::Durable() const {
  std::lock_guard lock(mu_);
  return DurableLocked();
}

bool IngestLog::WaitForMore(LogPosition from, std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  return durable_.wait_for(lock, wait, [&] {
    return stopping_ || DurableLocked() > NormalizeLocked(from);
  }) && DurableLocked() > NormalizeLocked(from);
}

Result<LogRead> IngestLog::Read(LogPosition from, size_t max_bytes) {
  uint64_t size = 0;
  {
    std::lock_guard lock(mu_);
    from = NormalizeLocked(from);
    auto it = segments_.find(from.segment);
    if (it == segments_.end() || from.offset >= it->second.size) return LogRead{{}, from};
    size = it->second.size;
  }
  LogRead out{{}, from};
  const std::string path = PathOf(from.segment);
  uint64_t want =
      std::min<uint64_t>(size - from.offset, std::max<size_t>(max_bytes, kFrameHeaderBytes));
  HOMEPORT_ASSIGN_OR_RETURN(std::string bytes, env_->ReadRange(path, from.offset, want));
  std::string_view rest = bytes;
  while (!rest.empty()) {
    DecodedFrame f = DecodeFrame(rest);
    if (f.outcome == DecodedFrame::kIncomplete && out.entries.empty() &&
        rest.size() >= kFrameHeaderBytes) {
      // A record larger than max_bytes: read exactly it.
      HOMEPORT_ASSIGN_OR_RETURN(bytes, env_->ReadRange(path, from.offset, DeclaredFrameSize(rest)));
      rest = bytes;
      f = DecodeFrame(rest);
    }
    if (f.outcome == DecodedFrame::kIncomplete) break;  // the rest comes with the next read
    if (f.outcome == DecodedFrame::kCorrupt) {
      return Status::Corruption("ingest log segment " + path + " is damaged at byte " +
                                std::to_string(out.next.offset));
    }
    out.next.offset += f.size;
    out.entries.push_back({std::move(f.record), out.next});
    rest.remove_prefix(f.size);
  }
  return out;
}

Status IngestLog::Release(LogPosition loaded) {
  std::vector<std::string> gone;
  {
    std::lock_guard lock(mu_);
    for (auto it = segments_.begin(); it != segments_.end();) {
      bool done =
          it->second.sealed && (it->first < loaded.segment ||
                                (it->first == loaded.segment && loaded.offset >= it->second.size));
      if (!done) break;
      gone.push_back(PathOf(it->first));
      disk_bytes_ -= it->second.size;
      it = segments_.erase(it);
    }
  }
  for (const auto& path : gone) HOMEPORT_RETURN_IF_ERROR(env_->RemoveFile(path));
  return Status::Ok();
}

uint64_t IngestLog::FirstSegment() const {
  std::lock_guard lock(mu_);
  return segments_.empty() ? next_segment_ : segments_.begin()->first;
}

uint64_t IngestLog::BytesAfter(LogPosition p) const {
  std::lock_guard lock(mu_);
  uint64_t n = 0;
  for (auto it = segments_.lower_bound(p.segment); it != segments_.end(); ++it) {
    uint64_t skip = it->first == p.segment ? std::min(p.offset, it->second.size) : 0;
    n += it->second.size - skip;
  }
  return n;
}

uint64_t IngestLog::Bytes() const {
  std::lock_guard lock(mu_);
  return disk_bytes_ + queued_bytes_;
}

}  // namespace homeport
