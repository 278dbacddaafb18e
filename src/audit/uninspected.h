// Uninspected: something the verifier did not fully look at — a body past the scan limit, a
// member behind the archive depth limit, a file past the overall budget. A verifier must never
// answer "clean" about data it did not inspect, so every report lists these and, unless the
// policy says "allow_uninspected": true, each one is a violation (exit 1).
#pragma once

#include <cstdint>
#include <string>

namespace homeport::audit {

struct Uninspected {
  std::string subject;  // what: a file path, "app.apk › lib/x.so", a flow "tcp a:1 → b:80"
  std::string reason;   // why: "HTTP body past the scan limit", "gzip body inflates past the limit"
  uint64_t limit = 0;   // the limit that stopped inspection, in bytes unless the reason names
                        // another unit (fragments, datagrams); 0 for a time budget
  uint64_t offset = 0;  // the first byte (of the subject) that was not inspected
};

}  // namespace homeport::audit
