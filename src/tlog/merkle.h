// The transparency log's Merkle tree (RFC 9162 §2.1, the same hashing as RFC 6962): tree hashes,
// inclusion and consistency proofs, and their verification.
//
// The log lives in a database, so the tree is kept as "stored hashes": the hash of every
// complete subtree is written once, when the entry completing it is appended, at an index
// computed from its position (level, n). Any tree hash or proof for a tree of n entries is then
// a fold over at most about 2·log₂ n stored hashes, fetched in one HashReader call — never a
// walk over the leaves. The index layout is that of Crosby and Wallach (USENIX Security 2009,
// §3.3), the one Go's checksum database uses, so the two agree hash for hash.
//
// All functions are pure apart from the reader they are given, and thread-safe when it is.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "homeport/status.h"

namespace homeport::tlog {

using Hash = std::array<unsigned char, 32>;

// The largest tree this module builds proofs for: every stored-hash index of such a tree fits in
// an int64_t (a tree of n entries has 2n - popcount(n) stored hashes). Verification takes any
// size up to INT64_MAX.
inline constexpr int64_t kMaxTreeSize = int64_t{1} << 62;

// SHA-256(0x00 || entry): the hash of a leaf.
Hash LeafHash(std::string_view entry);
// SHA-256(0x01 || left || right): the hash of an interior node.
Hash NodeHash(const Hash& left, const Hash& right);
// SHA-256 of the empty string: the root of the empty tree (RFC 9162 §2.1.1).
Hash EmptyTreeHash();

// Where the hash of the complete subtree at `level` (0 = leaves) and position `n` on that level
// (covering entries [n·2^level, (n+1)·2^level)) is stored; -1 unless 0 <= level <= 62, n >= 0
// and (n+1)·2^level <= kMaxTreeSize. Entry n's leaf hash is at StoredHashIndex(0, n), and the
// hashes of the subtrees it completes follow it directly.
int64_t StoredHashIndex(int level, int64_t n);

// How many hashes are stored for a tree of `entries` entries: the next free index; -1 unless
// 0 <= entries <= kMaxTreeSize.
int64_t StoredHashCount(int64_t entries);

// Reads stored hashes; implemented by the store over its table of stored hashes.
class HashReader {
 public:
  virtual ~HashReader() = default;
  // The hashes stored at `indexes`, one for each index, in the order asked. An index that was
  // never stored is an error (NotFound), not a zero hash.
  virtual Result<std::vector<Hash>> ReadHashes(std::span<const int64_t> indexes) = 0;
};

// The hashes to store when `entry` is appended as entry n of a tree of n entries: its leaf hash
// followed by the hashes of the subtrees it completes, for indexes StoredHashIndex(0, n),
// StoredHashIndex(0, n) + 1, ... Reads up to log₂ n earlier hashes.
Result<std::vector<Hash>> StoredHashesForAppend(int64_t n, std::string_view entry,
                                                HashReader& reader);
// The same, given LeafHash(entry) instead of the entry.
Result<std::vector<Hash>> StoredHashesForLeafHash(int64_t n, const Hash& leaf_hash,
                                                  HashReader& reader);

// The root hash of the tree of the first `size` entries (EmptyTreeHash() for 0).
Result<Hash> TreeHash(int64_t size, HashReader& reader);

// The audit path of entry `index` in the tree of `size` entries: PATH(index, D[size]) of RFC 9162
// §2.1.3.1, the sibling nearest the leaf first. Requires 0 <= index < size <= kMaxTreeSize.
Result<std::vector<Hash>> InclusionProof(int64_t index, int64_t size, HashReader& reader);

// The proof that the tree of `from` entries is a prefix of the tree of `to` entries:
// PROOF(from, D[to]) of RFC 9162 §2.1.4.1. Requires 0 <= from <= to <= kMaxTreeSize; the proof is
// empty when from is 0 or from == to.
Result<std::vector<Hash>> ConsistencyProof(int64_t from, int64_t to, HashReader& reader);

// RFC 9162 §2.1.3.2: whether `proof` shows that the entry with `leaf_hash` is entry `index` of
// the tree of `size` entries whose root is `root`. Ok, or an error saying what does not match:
// InvalidArgument for impossible index, size or proof length, Corruption when the hashes do not
// lead to `root`.
Status VerifyInclusion(int64_t index, int64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);

// RFC 9162 §2.1.4.2: whether `proof` shows that the tree of `from` entries with root `from_root`
// is a prefix of the tree of `to` entries with root `to_root`. A tree of 0 entries (whose root
// must be EmptyTreeHash()) is a prefix of every tree, and a tree is a prefix of itself, both
// with an empty proof. Errors as for VerifyInclusion.
Status VerifyConsistency(int64_t from, int64_t to, const Hash& from_root, const Hash& to_root,
                         std::span<const Hash> proof);

// A whole log's stored hashes in memory: for tests, and for an auditor recomputing a tree from
// downloaded entries. Not thread-safe.
class MemoryHashStore : public HashReader {
 public:
  // Appends `entry` as entry size(). Fails only past kMaxTreeSize.
  Status Append(std::string_view entry);
  Status AppendLeafHash(const Hash& leaf_hash);

  int64_t size() const { return size_; }
  // Every stored hash, by index.
  const std::vector<Hash>& stored_hashes() const { return hashes_; }

  Result<std::vector<Hash>> ReadHashes(std::span<const int64_t> indexes) override;

 private:
  std::vector<Hash> hashes_;
  int64_t size_ = 0;
};

}  // namespace homeport::tlog
