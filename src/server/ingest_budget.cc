// Two token buckets refilled lazily from the injected clock.
#include "server/ingest_budget.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace homeport {

Status ValidateIngestBudget(const IngestBudgetOptions& o, size_t max_document_bytes) {
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  if (!positive(o.documents_per_second)) {
    return Status::InvalidArgument(
        "--ingest-budget-docs must be a positive number of documents "
        "per second");
  }
  if (!positive(o.bytes_per_second)) {
    return Status::InvalidArgument(
        "--ingest-budget-bytes must be a positive number of bytes "
        "per second");
  }
  if (!positive(o.burst_seconds)) {
    return Status::InvalidArgument("--ingest-burst-seconds must be a positive number of seconds");
  }
  if (o.documents_per_second * o.burst_seconds < 1) {
    return Status::InvalidArgument(
        "--ingest-budget-docs times --ingest-burst-seconds is below one document: nothing would "
        "ever be accepted");
  }
  if (o.bytes_per_second * o.burst_seconds < static_cast<double>(max_document_bytes)) {
    return Status::InvalidArgument(
        "--ingest-budget-bytes times --ingest-burst-seconds must be at least " +
        std::to_string(max_document_bytes) +
        " bytes, the largest document accepted, or such a document would never fit");
  }
  return Status::Ok();
}

IngestBudget::IngestBudget(IngestBudgetOptions options, Env* env)
    : options_(options),
      env_(env),
      documents_(options.documents_per_second * options.burst_seconds),
      bytes_(options.bytes_per_second * options.burst_seconds),
      updated_(env->Now()) {}

int IngestBudget::Acquire(size_t bytes) {
  const double size = static_cast<double>(bytes);
  std::lock_guard lock(mu_);
  Env::TimePoint now = env_->Now();
  // A wall clock stepped back refills nothing rather than draining the buckets.
  double elapsed = std::max(0.0, std::chrono::duration<double>(now - updated_).count());
  updated_ = std::max(updated_, now);
  documents_ = std::min(options_.documents_per_second * options_.burst_seconds,
                        documents_ + elapsed * options_.documents_per_second);
  bytes_ = std::min(options_.bytes_per_second * options_.burst_seconds,
                    bytes_ + elapsed * options_.bytes_per_second);
  if (documents_ >= 1 && bytes_ >= size) {
    documents_ -= 1;
    bytes_ -= size;
    return 0;
  }
  double wait = std::max((1 - documents_) / options_.documents_per_second,
                         (size - bytes_) / options_.bytes_per_second);
  return std::max(1, static_cast<int>(std::ceil(std::min(wait, 86400.0))));
}

}  // namespace homeport
