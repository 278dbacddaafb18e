// Pending-ping files: naming, ordering, the size bound and reading back.
#include "agent/ping_queue.h"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace homeport::agent {
namespace {

constexpr std::string_view kSuffix = ".ping";

std::optional<uint64_t> ParseNumber(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

std::optional<QueuedPing> ParseName(const std::string& file) {
  std::string_view s = file;
  if (s.size() <= kSuffix.size() || s.substr(s.size() - kSuffix.size()) != kSuffix) {
    return std::nullopt;
  }
  s.remove_suffix(kSuffix.size());
  size_t a = s.find('_');
  size_t b = a == std::string_view::npos ? a : s.find('_', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  auto order = ParseNumber(s.substr(0, a));
  auto bytes = ParseNumber(s.substr(a + 1, b - a - 1));
  std::string_view doc_id = s.substr(b + 1);
  if (!order || !bytes || !IsUuidV4(doc_id)) return std::nullopt;
  return QueuedPing{file, *order, static_cast<int64_t>(*bytes), std::string(doc_id)};
}

}  // namespace

Result<std::vector<QueuedPing>> PingQueue::List() const {
  std::vector<QueuedPing> pings;
  if (!env_->FileExists(dir_)) return pings;
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(dir_));
  for (const std::string& name : names) {
    if (auto ping = ParseName(name)) pings.push_back(std::move(*ping));
  }
  std::sort(pings.begin(), pings.end(), [](const QueuedPing& a, const QueuedPing& b) {
    return a.order != b.order ? a.order < b.order : a.file < b.file;
  });
  return pings;
}

Result<QueuedPing> PingQueue::Add(const GleanDocument& doc) {
  HOMEPORT_RETURN_IF_ERROR(env_->CreateDirs(dir_));
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<QueuedPing> queued, List());
  const uint64_t order = queued.empty() ? 1 : queued.back().order + 1;
  const std::string content = doc.path + "\n" + doc.body + "\n";
  char prefix[48];
  std::snprintf(prefix, sizeof prefix, "%012llu_%zu_", static_cast<unsigned long long>(order),
                content.size());
  // A ping holds a client id and what the user wrote: readable by the device's user only.
  QueuedPing queued_ping{prefix + doc.doc_id + std::string(kSuffix), order,
                         static_cast<int64_t>(content.size()), doc.doc_id};
  Status written = env_->WriteFileAtomic(dir_ + "/" + queued_ping.file, content, 0600);
  if (!written.ok()) return written.WithContext("queueing a UX-program ping");
  return queued_ping;
}

Result<PendingPing> PingQueue::Read(const QueuedPing& ping) const {
  HOMEPORT_ASSIGN_OR_RETURN(std::string text, env_->ReadFile(dir_ + "/" + ping.file));
  size_t nl = text.find('\n');
  if (nl == std::string::npos || text.size() < nl + 2 || text.back() != '\n') {
    return Status::Corruption("pending ping " + ping.file + " is not a path and a body");
  }
  PendingPing out{text.substr(0, nl), text.substr(nl + 1, text.size() - nl - 2)};
  if (out.path.rfind("/submit/", 0) != 0 || out.body.find('\n') != std::string::npos) {
    return Status::Corruption("pending ping " + ping.file + " is not a path and a body");
  }
  return out;
}

Status PingQueue::Remove(const QueuedPing& ping) {
  return env_->RemoveFile(dir_ + "/" + ping.file);
}

Result<int> PingQueue::DropOldestBeyond(int max_pings, int64_t max_bytes) {
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<QueuedPing> queued, List());
  int64_t bytes = 0;
  for (const QueuedPing& p : queued) bytes += p.bytes;
  int dropped = 0;
  for (const QueuedPing& p : queued) {
    const int remaining = static_cast<int>(queued.size()) - dropped;
    if (remaining <= max_pings && bytes <= max_bytes) break;
    HOMEPORT_RETURN_IF_ERROR(Remove(p));
    bytes -= p.bytes;
    ++dropped;
  }
  return dropped;
}

Status PingQueue::Clear() {
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<QueuedPing> queued, List());
  for (const QueuedPing& p : queued) HOMEPORT_RETURN_IF_ERROR(Remove(p));
  return Status::Ok();
}

}  // namespace homeport::agent
