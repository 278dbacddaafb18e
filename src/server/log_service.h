// The region's transparency log on the server (S7): the key that signs its checkpoints, the
// witnesses whose cosignatures it keeps and serves, and the public endpoints
//   GET  /v1/log/checkpoint                      the signed checkpoint (a C2SP signed note)
//   GET  /v1/log/entries?start=&end=             entries, at most kMaxLogEntriesPerRead
//   GET  /v1/log/proof/inclusion?index=&size=    RFC 9162 §2.1.3 audit path
//   GET  /v1/log/proof/consistency?from=&to=     RFC 9162 §2.1.4 consistency proof
//   POST /v1/log/cosignature                     a witness's cosigned checkpoint
// served on the device-facing listener without a token: anyone may audit the log.
#pragma once

#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "homeport/env.h"
#include "homeport/status.h"
#include "server/http_message.h"
#include "store/store.h"
#include "tlog/signed_note.h"

namespace homeport {

struct ServiceContext;

struct LogSigner {
  std::string origin;  // the checkpoints' first line and the note key's name
  crypto::SecretKey key;
  std::vector<tlog::NoteVerifierKey> witnesses;  // cosignature keys (type 0x04)

  // The verifier key auditors configure: origin, key id and public key in one line.
  tlog::NoteVerifierKey verifier() const;
};

// The default origin of a region's log when --log-origin is not given.
std::string DefaultLogOrigin(const std::string& region);

// Reads the log key (a secret JWK, `keys new`) and the witnesses' verifier keys (their text
// form, one per file). Errors name the file.
Result<LogSigner> LoadLogSigner(Env* env, const std::string& key_file, const std::string& origin,
                                const std::vector<std::string>& witness_files);

// The signed checkpoint of the log as it is now, followed by the witnesses' cosignatures of
// that tree size that the store holds.
Result<std::string> SignedCheckpoint(TransparencyLogStore& log, const LogSigner& signer);

// What a served manifest (compact JWS) says of itself, read without verifying: the server is not
// the device, and logging a manifest the maker signed badly is what lets auditors see it. Fields
// it does not have stay empty.
struct ManifestClaims {
  std::string region, kid;
  int64_t version = 0;
  bool rollback = false;
};
ManifestClaims PeekManifestClaims(std::string_view token);

// Appends each served manifest (compact JWS) to the log unless it is there already; returns the
// index of each, in order.
Result<std::vector<int64_t>> LogServedManifests(TransparencyLogStore& log,
                                                const std::vector<std::string>& manifests,
                                                TimePoint now);

// An entry as GET /v1/log/entries shows it: {"index", "data": base64 of its bytes, and, when
// the bytes are a JSON object, its fields}.
nlohmann::json LogEntryJson(int64_t index, const std::string& data);

void HandleLog(const ServiceContext& ctx, const HttpRequest& request, Respond respond);
void HandleLogCosignature(const ServiceContext& ctx, const HttpRequest& request, Respond respond);

// A cosigned checkpoint is small: a few hundred bytes, a line per witness.
inline constexpr size_t kMaxCosignatureBody = 64 * 1024;

}  // namespace homeport
