// `homeport_bench insert-rate`: the storage ceiling of UX-program ingestion. Inserts the rows
// homeport stores for diagnostics pings (table uxp_documents, created by the store's own
// migrations) straight through libsqlite3 or libpq, in batches of one transaction each, with
// the store's durability settings, for a fixed time; prints the rows committed per second.
#pragma once

#include <cstddef>
#include <string>

namespace homeport::bench {

struct InsertRateOptions {
  std::string store;     // "sqlite:PATH" or "postgresql://..." (a fresh database)
  std::string requests;  // diagnostics pings from bench/pings.py: each line gives one row
  // PostgreSQL only: "pipeline" (one INSERT ... ON CONFLICT DO NOTHING per row in libpq pipeline
  // mode, one sync per batch), "multirow" (one INSERT of the whole batch) or "copy" (COPY FROM
  // STDIN). SQLite always steps one prepared INSERT per row, as the store does.
  std::string method = "pipeline";
  size_t batch = 64;        // rows per transaction
  double seconds = 5;       // how long to insert
  int retention_days = 90;  // expires_day = today + this (diagnostics' retention_days)
};

// Prints one line to stdout: "rows=N seconds=S rps=R batches=B mean_batch_ms=M p99_batch_ms=P".
// Returns the process exit status.
int InsertRate(const InsertRateOptions& options);

}  // namespace homeport::bench
