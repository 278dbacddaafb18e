// RFC 9162's Merkle tree written straight from its recursive definitions (§2.1.1 MTH, §2.1.3.1
// PATH, §2.1.4.1 PROOF/SUBPROOF), hashing through libsodium directly: the reference the
// stored-hash implementation is checked against. Slow on purpose (every call recurses down to
// the leaves); fine for the sizes the tests use.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/base64.h"
#include "tlog/merkle.h"

namespace homeport::tlog::testing {

inline Hash Sha256(std::string_view data) {
  Hash h;
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return h;
}

inline std::string Bytes(const Hash& h) { return {reinterpret_cast<const char*>(h.data()), 32}; }

inline Hash ReferenceLeaf(std::string_view entry) {
  return Sha256(std::string(1, '\0') + std::string(entry));
}

inline Hash ReferenceNode(const Hash& left, const Hash& right) {
  return Sha256("\x01" + Bytes(left) + Bytes(right));
}

inline std::string Base64(const Hash& h) { return crypto::Base64Encode(Bytes(h)); }

// The entries every tlog test (and tests/tlog/go/tlog_vectors.go) builds its trees from.
inline std::string TestEntry(int64_t i) { return "homeport tlog test entry " + std::to_string(i); }

inline std::vector<std::string> TestEntries(int64_t n) {
  std::vector<std::string> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(TestEntry(i));
  return out;
}

// The largest power of two smaller than n (n >= 2): the RFC's k.
inline int64_t ReferenceSplit(int64_t n) {
  int64_t k = 1;
  while (k < n - k) k *= 2;  // while 2k < n, written so that it cannot overflow
  return k;
}

// MTH(D[lo:hi]) of some tree: how the reference functions see the tree.
using MthFunction = std::function<Hash(int64_t lo, int64_t hi)>;

// MTH(D[lo:hi]) over `entries` (§2.1.1).
inline Hash ReferenceMth(const std::vector<std::string>& entries, int64_t lo, int64_t hi) {
  if (hi == lo) return Sha256("");
  if (hi - lo == 1) return ReferenceLeaf(entries[lo]);
  const int64_t k = ReferenceSplit(hi - lo);
  return ReferenceNode(ReferenceMth(entries, lo, lo + k), ReferenceMth(entries, lo + k, hi));
}

inline MthFunction EntriesMth(const std::vector<std::string>& entries) {
  return [&entries](int64_t lo, int64_t hi) { return ReferenceMth(entries, lo, hi); };
}

// PATH(m, D[lo:hi]) (§2.1.3.1), m an absolute index.
inline std::vector<Hash> ReferencePath(int64_t m, int64_t lo, int64_t hi, const MthFunction& mth) {
  if (hi - lo == 1) return {};
  const int64_t k = ReferenceSplit(hi - lo);
  std::vector<Hash> path;
  if (m < lo + k) {
    path = ReferencePath(m, lo, lo + k, mth);
    path.push_back(mth(lo + k, hi));
  } else {
    path = ReferencePath(m, lo + k, hi, mth);
    path.push_back(mth(lo, lo + k));
  }
  return path;
}

// SUBPROOF(m, D[lo:hi], b) (§2.1.4.1), m an absolute size.
inline std::vector<Hash> ReferenceSubproof(int64_t m, int64_t lo, int64_t hi, bool b,
                                           const MthFunction& mth) {
  if (m == hi) {
    if (b) return {};
    return {mth(lo, hi)};
  }
  const int64_t k = ReferenceSplit(hi - lo);
  std::vector<Hash> proof;
  if (m <= lo + k) {
    proof = ReferenceSubproof(m, lo, lo + k, b, mth);
    proof.push_back(mth(lo + k, hi));
  } else {
    proof = ReferenceSubproof(m, lo + k, hi, false, mth);
    proof.push_back(mth(lo, lo + k));
  }
  return proof;
}

// PROOF(m, D[n]) for 0 < m < n.
inline std::vector<Hash> ReferenceProof(int64_t m, int64_t n, const MthFunction& mth) {
  return ReferenceSubproof(m, 0, n, true, mth);
}

}  // namespace homeport::tlog::testing
