// The verifier's policy file (JSON), and the host matching it drives.
#include "audit/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto policy = homeport::audit::AuditPolicy::Parse(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!policy.ok()) return 0;
  for (const char* host : {"api.sg.example.com", "SG.EXAMPLE.COM.", "10.0.0.1", "::1", "", "."}) {
    (void)policy->AllowsHost(host);
  }
  (void)policy->AllowsCountry("SG");
  (void)policy->AllowsIdentifierInClear("imei");
  return 0;
}
