// An inclusion bundle: everything needed to prove, offline, that one entry is in a region's
// transparency log — the entry's bytes, its index, a checkpoint signed by the log, and the RFC
// 9162 inclusion proof of the entry in that checkpoint's tree. A maker ships one beside a
// manifest (`homeport log prove`), so that a device told to require it (`--require-log-proof`)
// can check the manifest was published before it lets it configure anything; a device builds
// one for the erasure entry of its own deletion-request (`homeport agent uxp receipt`).
//
// The JSON form, as written to a file:
//   {"index": N, "entry": "<base64 of the entry's bytes>",
//    "checkpoint": "<the signed note>", "hashes": ["<base64>", …]}
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.h"
#include "homeport/status.h"
#include "tlog/checkpoint.h"
#include "tlog/merkle.h"

namespace homeport::tlog {

// Far above any real bundle (an entry of a few hundred bytes, 62 hashes at most).
inline constexpr size_t kMaxInclusionBundleBytes = 64 * 1024;

struct InclusionBundle {
  int64_t index = 0;
  std::string entry;            // the entry's bytes
  std::string checkpoint;       // the signed note
  std::vector<Hash> hashes;     // the inclusion proof
};

std::string InclusionBundleToJson(const InclusionBundle& bundle);
// InvalidArgument naming the field that is wrong; ResourceExhausted beyond
// kMaxInclusionBundleBytes.
Result<InclusionBundle> ParseInclusionBundle(std::string_view json);

// Checks the bundle: the checkpoint's signature by `log_key` under the checkpoint's origin
// (which must be `required_origin` unless that is empty), then the entry's inclusion in the
// signed tree. Returns the checkpoint; PermissionDenied naming what does not hold.
Result<Checkpoint> VerifyInclusionBundle(const InclusionBundle& bundle,
                                         const crypto::PublicKey& log_key,
                                         std::string_view required_origin = "");

// GETs the log's path (e.g. "/v1/log/checkpoint") from the region server: the body of a 200
// answer, or an error.
using LogGet = std::function<Result<std::string>(const std::string& path)>;

// Builds the bundle of entry `index` from a region server's public log endpoints: its current
// checkpoint, the entry (/v1/log/entries) and its inclusion proof in that checkpoint's tree.
// Nothing is verified here (VerifyInclusionBundle does); answers that are not what the API
// says are Corruption.
Result<InclusionBundle> FetchInclusionBundle(const LogGet& get, int64_t index);

// What a proven entry records, read from its bytes as store/log_entries.h writes them: the
// manifest whose compact JWS has the SHA-256 (hex) `token_sha256`, or the erasure holding the
// commitment `commitment` (tlog/erasure_commitment.h).
bool IsManifestEntry(std::string_view entry, std::string_view token_sha256);
bool IsErasureEntry(std::string_view entry, std::string_view commitment);

// The hashes of a proof answer of the log's API, `{"hashes": ["<base64>", …], …}` (inclusion or
// consistency): Corruption unless it holds a list of at most 128 hashes of 32 bytes.
Result<std::vector<Hash>> ParseProofHashes(std::string_view answer);

}  // namespace homeport::tlog
