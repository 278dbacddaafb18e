// enrollment.csv as `homeport enroll` imports it: every line either a record or a problem
// naming its line, and every record's fields valid.
#include <cstdlib>

#include "provisioning/device_profile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed =
      homeport::ParseEnrollmentCsv(std::string_view(reinterpret_cast<const char*>(data), size));
  if (parsed.records.size() != parsed.record_lines.size()) abort();
  for (const auto& r : parsed.records) {
    if (!homeport::IsValidIdentifierField(r.serial)) abort();
    (void)homeport::EnrollmentCsvRow(r);
  }
  return 0;
}
