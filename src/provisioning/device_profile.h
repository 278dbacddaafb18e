// Device profiles (the per-device JSON file the factory writes) and enrollment records (the
// public half of a profile, imported into the region's server), with their file formats.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.h"
#include "homeport/provisioning.h"
#include "homeport/status.h"

namespace homeport {

std::string DeviceProfileToJson(const DeviceProfile& p);
Result<DeviceProfile> ParseDeviceProfile(std::string_view json);
Result<crypto::SecretKey> DeviceKey(const DeviceProfile& p);
Result<crypto::PublicKey> RootKey(const DeviceProfile& p);
// The region's log key; NotFound when the profile has none.
Result<crypto::PublicKey> LogKey(const DeviceProfile& p);

// The public record of one device, as the server of its region stores it.
struct EnrollmentRecord {
  std::string serial;
  std::string model;
  std::string sku;
  std::string variant;
  std::string region;
  std::string batch;
  crypto::PublicKey device_key;
  bool operator==(const EnrollmentRecord&) const = default;
};

// An identifier field (serial, model, sku, variant, batch): 1-64 of A-Z a-z 0-9 . _ -
bool IsValidIdentifierField(std::string_view s);

// enrollment.csv: a header line, then one device per line.
inline constexpr const char* kEnrollmentCsvHeader = "serial,model,sku,variant,region,batch,public_key";
std::string EnrollmentCsvRow(const EnrollmentRecord& r);

struct EnrollmentCsvProblem {
  int line;  // 1-based line number in the file
  std::string message;
};
struct ParsedEnrollmentCsv {
  std::vector<EnrollmentRecord> records;
  std::vector<int> record_lines;  // line number of each record, same order
  std::vector<EnrollmentCsvProblem> problems;  // malformed lines; records holds the rest
};
ParsedEnrollmentCsv ParseEnrollmentCsv(std::string_view text);

}  // namespace homeport
