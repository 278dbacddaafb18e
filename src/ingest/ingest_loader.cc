// The loader loop: read, commit, release, answer.
#include "ingest/ingest_loader.h"

#include <spdlog/spdlog.h>

namespace homeport {

IngestLoader::IngestLoader(IngestLog& log, CommitStore& store, Env* env, ServerMetrics* metrics,
                           IngestLoaderOptions options)
    : log_(log), store_(store), env_(env), metrics_(metrics), options_(options) {
  thread_ = std::thread([this] { Run(); });
}

IngestLoader::~IngestLoader() { Stop(); }

void IngestLoader::AwaitErasure(LogPosition end, ErasureDone done) {
  {
    std::lock_guard lock(mu_);
    erasures_[end].done = std::move(done);
  }
  CompleteErasures();  // the loader may have been quicker than this call
}

uint64_t IngestLoader::UnloadedBytes() {
  LogPosition loaded;
  {
    std::lock_guard lock(mu_);
    loaded = loaded_;
  }
  return log_.BytesAfter(loaded);
}

Status IngestLoader::WaitLoaded(std::chrono::milliseconds timeout) {
  const LogPosition target = log_.Durable();
  if (target.offset == 0) return Status::Ok();  // the log holds nothing
  std::unique_lock lock(mu_);
  if (!loaded_cv_.wait_for(lock, timeout, [&] { return loaded_ >= target; })) {
    return Status::Unavailable(
        "the store has not taken in the latest documents yet (is the "
        "database reachable?)");
  }
  return Status::Ok();
}

void IngestLoader::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Erasures not yet complete are in the log: the next start applies them. Their requests are
  // answered 503, so the clients send them again.
  std::map<LogPosition, ErasureWait> left;
  {
    std::lock_guard lock(mu_);
    left.swap(erasures_);
  }
  for (auto& [end, wait] : left) {
    if (wait.done)
      wait.done(Status::Unavailable("the server stopped before the erasure was complete"));
  }
}

void IngestLoader::Run() {
  LogPosition from;
  auto retry = options_.retry_first;
  for (;;) {
    bool stopping;
    {
      std::lock_guard lock(mu_);
      stopping = stopping_;
    }
    if (!log_.WaitForMore(from, std::chrono::milliseconds(200))) {
      // Nothing new: release segments the writer sealed meanwhile (the idle seal).
      if (Status st = log_.Release(from); !st.ok()) spdlog::warn("ingest log: {}", st.ToString());
      CompleteErasures();
      if (metrics_) metrics_->SetIngestLogBytes(log_.Bytes());
      if (stopping) return;
      continue;
    }
    auto read = log_.Read(from, options_.max_batch_bytes);
    bool loaded = read.ok() && Load(*read);
    if (!read.ok()) spdlog::error("ingest log: {}", read.status().ToString());
    if (!loaded) {
      if (metrics_) metrics_->CountLoadFailure();
      if (stopping) return;  // what is left is loaded at the next start
      std::unique_lock lock(mu_);
      stop_cv_.wait_for(lock, retry, [&] { return stopping_; });
      retry = std::min(retry * 2, options_.retry_last);
      continue;
    }
    retry = options_.retry_first;
    from = read->next;
    {
      std::lock_guard lock(mu_);
      loaded_ = from;
    }
    loaded_cv_.notify_all();
    if (Status st = log_.Release(from); !st.ok()) spdlog::warn("ingest log: {}", st.ToString());
    CompleteErasures();
    if (metrics_) metrics_->SetIngestLogBytes(log_.Bytes());
  }
}

bool IngestLoader::Load(const LogRead& read) {
  if (read.entries.empty()) return true;
  WriteBatch batch;
  std::vector<LogPosition> erasure_ends;
  for (const auto& e : read.entries) {
    if (const auto* doc = std::get_if<UxpDocument>(&e.record)) {
      batch.documents.push_back(*doc);
    } else {
      batch.erasures.push_back(std::get<ClientErasure>(e.record));
      erasure_ends.push_back(e.end);
    }
  }
  // Key order: neighbouring keys share index pages, and two servers' loaders lock rows in the
  // same order.
  std::sort(batch.documents.begin(), batch.documents.end(),
            [](const UxpDocument& a, const UxpDocument& b) { return a.doc_id < b.doc_id; });
  auto result = store_.Commit(batch, env_->Now());
  if (!result.ok()) {
    spdlog::warn("ingest: loading {} records into the store failed: {}", read.entries.size(),
                 result.status().ToString());
    return false;
  }
  if (metrics_) {
    for (size_t i = 0; i < batch.documents.size(); ++i) {
      const auto& d = batch.documents[i];
      metrics_->CountPing(d.app_id, d.doc_type,
                          result->documents_stored[i] ? "stored" : "duplicate");
    }
  }
  // Erasures recovered from an earlier run have no request waiting for them.
  const uint64_t first_new = log_.FirstNewSegment();
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < erasure_ends.size(); ++i) {
    if (erasure_ends[i].segment >= first_new) {
      erasures_[erasure_ends[i]].erased = ErasureOutcome{result->erased[i],
                                                         result->erasure_log_index.at(i)};
    }
  }
  return true;
}

void IngestLoader::CompleteErasures() {
  const uint64_t first = log_.FirstSegment();
  std::vector<std::pair<ErasureDone, ErasureOutcome>> ready;
  {
    std::lock_guard lock(mu_);
    for (auto it = erasures_.begin(); it != erasures_.end() && it->first.segment < first;) {
      if (!it->second.erased || !it->second.done) {
        ++it;
        continue;
      }
      ready.emplace_back(std::move(it->second.done), *it->second.erased);
      it = erasures_.erase(it);
    }
  }
  for (auto& [done, outcome] : ready) done(outcome);
}

}  // namespace homeport
