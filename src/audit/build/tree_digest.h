// TreeDigest: one SHA-256 that names a firmware tree's contents, for the provenance of an
// `audit build` report. Defined so that anyone can recompute it (scripts/tree-sha256.py does,
// in a dozen lines of Python):
//
//   the regular files below the root, as WalkTree finds them (symbolic links, devices, FIFOs
//   and sockets are neither followed nor read), each named by its path relative to the root
//   with "/" between components (a root that is itself a file: its file name), sorted by the
//   bytes of that path; the digest is SHA-256 over, for each file in that order,
//     path bytes, a NUL byte, the file's length in bytes as decimal ASCII digits, a NUL byte,
//     the file's bytes.
//
// Paths contain no NUL and the length says where the content ends, so no two trees give the
// same byte sequence. Directories (empty ones included) and file metadata are not covered.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "homeport/status.h"

namespace homeport::audit::build {

struct TreeDigest {
  std::string sha256;  // lower-case hex; empty when `problem` says why it could not be computed
  std::string problem;  // e.g. "system/app/x.apk: cannot read: Permission denied"
  uint64_t files = 0;   // regular files hashed
  uint64_t bytes = 0;   // their bytes
};

// The same bounds as the scan's (BuildAuditOptions::max_total_bytes, max_time): a tree past
// them gets no digest, and `problem` says which bound.
struct TreeDigestLimits {
  uint64_t max_bytes = 0;  // 0: no limit
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// Reads every regular file below `root` once, in 1 MiB pieces. Fails only when `root` itself
// cannot be used (as ScanBuildTree does); an unreadable file, or one whose size changes while it
// is read, leaves `sha256` empty and says so in `problem`, as does a tree past `limits`.
Result<TreeDigest> DigestTree(const std::string& root, const TreeDigestLimits& limits = {});

}  // namespace homeport::audit::build
