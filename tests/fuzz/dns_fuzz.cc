// A DNS message as it arrives in a UDP datagram (and, after its length prefix, over TCP).
#include "audit/capture/dns_dissector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)homeport::audit::capture::ParseDnsMessage(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
