// IngestBudget: what one server process accepts of UX-program documents per second, whoever
// sends them — documents and bytes, each a token bucket. The per-client limit
// (ClientRateLimiter) holds one client id back; a sender that invents a fresh client id for
// every ping (or sends none) passes it every time. This budget does not look at ids at all,
// so what a flood can make the region store per second is bounded (S8). Deletion-requests are
// never charged: erasure is a user's right. Thread-safe; the clock comes from Env, so tests
// move time instead of sleeping.
#pragma once

#include <cstddef>
#include <mutex>

#include "homeport/env.h"
#include "homeport/status.h"

namespace homeport {

struct IngestBudgetOptions {
  // Sustained documents per second for this process. The default covers a fleet of about
  // ten million devices sending ten pings a day with peaks four times the daily mean
  // (docs/operations.md, "Ingest budget").
  double documents_per_second = 5000;
  // Sustained bytes per second (documents as inflated and validated): 32 MiB, about 6.5 KB
  // per document at the documents rate.
  double bytes_per_second = 32 << 20;
  // Depth of both buckets, in seconds of their rate: an idle server takes this much at once.
  double burst_seconds = 10;
};

// InvalidArgument naming the option unless every rate is positive and finite and the byte
// bucket can hold the largest document the server accepts (`max_document_bytes`).
Status ValidateIngestBudget(const IngestBudgetOptions& options, size_t max_document_bytes);

class IngestBudget {
 public:
  // `env` must outlive the budget. Both buckets start full.
  IngestBudget(IngestBudgetOptions options, Env* env);

  // 0 when one document of `bytes` fits the budget now (its tokens are then taken); otherwise
  // nothing is taken and the answer is the whole seconds until it would fit, for Retry-After.
  int Acquire(size_t bytes);

 private:
  const IngestBudgetOptions options_;
  Env* const env_;
  std::mutex mu_;
  double documents_;
  double bytes_;
  Env::TimePoint updated_;
};

}  // namespace homeport
