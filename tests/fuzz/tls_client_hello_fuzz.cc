// The start of a client's TCP stream read as a TLS ClientHello (SNI, ECH), whole and as the
// dissector sees it while segments arrive: a hello complete in the first half of the stream
// must read the same when the rest has arrived too.
#include <cstdlib>

#include "audit/capture/tls_client_hello.h"

using homeport::audit::capture::ClientHello;
using homeport::audit::capture::ParseClientHello;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view stream(reinterpret_cast<const char*>(data), size);
  (void)homeport::audit::capture::LooksLikeTls(stream);
  ClientHello whole = ParseClientHello(stream);
  // Half of the stream, as a first segment would bring it.
  ClientHello half = ParseClientHello(stream.substr(0, size / 2));
  if (half.outcome == ClientHello::Outcome::kComplete &&
      (whole.outcome != ClientHello::Outcome::kComplete || whole.server_name != half.server_name)) {
    abort();
  }
  return 0;
}
