// `homeport_bench open-loop`: latency at a fixed offered rate. Request i is due at
// start + i / rate whatever happened to earlier ones (an open loop, unlike wrk's closed loop,
// where a slow answer delays the next request and so hides itself); a due request goes out on
// the first idle keep-alive connection, and its latency runs from the time it was due, so time
// spent waiting for a connection counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace homeport::bench {

struct OpenLoopOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string requests;     // path TAB body [TAB signature] lines; each is sent once
  double rate = 0;          // requests per second
  double seconds = 5;       // how long requests are scheduled for
  size_t connections = 64;  // keep-alive connections, opened before the clock starts
};

// Prints one line to stdout: "rate=... scheduled=... completed=... non2xx=... errors=...
// duration_us=... p50_us=... p90_us=... p99_us=... p999_us=... max_us=... service_p50_us=...
// service_p99_us=... max_waiting=...". Returns the process exit status.
int OpenLoop(const OpenLoopOptions& options);

}  // namespace homeport::bench
