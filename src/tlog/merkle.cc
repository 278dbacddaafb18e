// RFC 9162 Merkle tree over stored subtree hashes. Every proof is first planned as the list of
// entry ranges whose tree hashes it consists of (straight from the RFC's recursive definitions),
// then each range is split into the complete subtrees stored for it, all of them are read in one
// call, and each range's hash is folded back together.
#include "tlog/merkle.h"

#include <algorithm>
#include <bit>
#include <string>

#include "tlog/sha256.h"

namespace homeport::tlog {
namespace {

// Entries [lo, hi) of the tree; the proof elements are the tree hashes of such ranges.
struct Range {
  int64_t lo;
  int64_t hi;
};

// The largest power of two smaller than n (n >= 2): where RFC 9162 splits a tree of n leaves.
int64_t SplitPoint(int64_t n) {
  return int64_t{1} << (std::bit_width(static_cast<uint64_t>(n - 1)) - 1);
}

// PATH(index, D[size]) as ranges, the sibling nearest the leaf first. RFC 9162 §2.1.3.1:
// PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k, else PATH(m - k, D[k:n]) : MTH(D[0:k]).
std::vector<Range> InclusionRanges(int64_t index, int64_t size) {
  std::vector<Range> path;
  int64_t lo = 0;
  int64_t hi = size;
  while (hi - lo > 1) {
    const int64_t k = SplitPoint(hi - lo);
    if (index < lo + k) {
      path.push_back({lo + k, hi});
      hi = lo + k;
    } else {
      path.push_back({lo, lo + k});
      lo += k;
    }
  }
  std::reverse(path.begin(), path.end());
  return path;
}

// PROOF(from, D[to]) as ranges, for 0 < from < to. RFC 9162 §2.1.4.1: SUBPROOF(m, D[n], b) is {}
// when m == n and b (the old tree itself, which the verifier has), {MTH(D[n])} when m == n and
// not b; otherwise SUBPROOF(m, D[0:k], b) : MTH(D[k:n]) for m <= k, else
// SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]).
std::vector<Range> ConsistencyRanges(int64_t from, int64_t to) {
  std::vector<Range> path;
  int64_t lo = 0;
  int64_t hi = to;
  bool old_tree_itself = true;
  while (from != hi) {
    const int64_t k = SplitPoint(hi - lo);
    if (from <= lo + k) {
      path.push_back({lo + k, hi});
      hi = lo + k;
    } else {
      path.push_back({lo, lo + k});
      lo += k;
      old_tree_itself = false;
    }
  }
  if (!old_tree_itself) path.push_back({lo, hi});
  std::reverse(path.begin(), path.end());
  return path;
}

// Appends the stored-hash indexes of the complete subtrees that make up [lo, hi), largest (and
// leftmost) first, and returns how many. The ranges above always start at a multiple of the
// largest power of two not above their length, so each piece is a stored subtree.
Result<size_t> AppendSubtreeIndexes(Range r, std::vector<int64_t>& indexes) {
  size_t count = 0;
  for (int64_t lo = r.lo; lo < r.hi; ++count) {
    const int level = std::bit_width(static_cast<uint64_t>(r.hi - lo)) - 1;
    if ((lo & ((int64_t{1} << level) - 1)) != 0) {
      return Status::Internal("unaligned subtree [" + std::to_string(lo) + ", " +
                              std::to_string(r.hi) + ")");
    }
    indexes.push_back(StoredHashIndex(level, lo >> level));
    lo += int64_t{1} << level;
  }
  return count;
}

Result<std::vector<Hash>> ReadExactly(HashReader& reader, std::span<const int64_t> indexes) {
  if (indexes.empty()) return std::vector<Hash>{};
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<Hash> hashes, reader.ReadHashes(indexes));
  if (hashes.size() != indexes.size()) {
    return Status::Internal("hash reader returned " + std::to_string(hashes.size()) +
                            " hashes for " + std::to_string(indexes.size()) + " indexes");
  }
  return hashes;
}

// The tree hash of each range, from one read of the stored hashes they are made of.
Result<std::vector<Hash>> RangeHashes(std::span<const Range> ranges, HashReader& reader) {
  std::vector<int64_t> indexes;
  std::vector<size_t> pieces;
  for (const Range& r : ranges) {
    HOMEPORT_ASSIGN_OR_RETURN(size_t n, AppendSubtreeIndexes(r, indexes));
    pieces.push_back(n);
  }
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<Hash> stored, ReadExactly(reader, indexes));
  std::vector<Hash> out;
  out.reserve(ranges.size());
  size_t next = 0;
  for (size_t n : pieces) {
    // MTH(D[lo:hi]) = NodeHash(left complete subtree, MTH(rest)): fold from the right.
    Hash h = stored[next + n - 1];
    for (size_t i = n - 1; i > 0; --i) h = NodeHash(stored[next + i - 1], h);
    out.push_back(h);
    next += n;
  }
  return out;
}

std::string Str(int64_t v) { return std::to_string(v); }

// How many hashes RFC 9162 §2.1.3.2 consumes walking from leaf `fn` of a tree whose last leaf is
// `sn` up to the root: step 4 without the hashing. Knowing it up front lets a proof of the wrong
// length be refused with a message saying so.
size_t InclusionPathLength(uint64_t fn, uint64_t sn) {
  size_t n = 0;
  for (; sn != 0; ++n) {
    if ((fn & 1) != 0 || fn == sn) {
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    }
    fn >>= 1;
    sn >>= 1;
  }
  return n;
}

// The length of PROOF(from, D[to]) for 0 < from < to, from the walk of RFC 9162 §2.1.4.2.
size_t ConsistencyProofLength(uint64_t from, uint64_t to) {
  uint64_t fn = from - 1;
  uint64_t sn = to - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  // The walk's first value is the old root when `from` is a power of two, and then not sent.
  return InclusionPathLength(fn, sn) + (std::has_single_bit(from) ? 0 : 1);
}

// `what` names the proof, e.g. "inclusion proof of entry 3 in a tree of size 8".
Status CheckProofLength(const std::string& what, size_t got, size_t want) {
  if (got == want) return Status::Ok();
  return Status::InvalidArgument(what + " has " + std::to_string(got) + " hashes; it must have " +
                                 std::to_string(want));
}

std::string ConsistencyName(int64_t from, int64_t to) {
  return "consistency proof from tree size " + Str(from) + " to " + Str(to);
}

}  // namespace

Hash LeafHash(std::string_view entry) { return Sha256({std::string_view("\x00", 1), entry}); }

Hash NodeHash(const Hash& left, const Hash& right) {
  return Sha256({"\x01", HashBytes(left), HashBytes(right)});
}

Hash EmptyTreeHash() { return Sha256({}); }

int64_t StoredHashIndex(int level, int64_t n) {
  if (level < 0 || level > 62 || n < 0 || n >= (kMaxTreeSize >> level)) return -1;
  // Level 0 stores entry m's leaf hash at m + m/2 + m/4 + ... = 2m - popcount(m), that is after
  // the leaves before it and the subtrees they completed; a subtree's hash comes `level` places
  // after the leaf hash of its last entry.
  const uint64_t last = ((static_cast<uint64_t>(n) + 1) << level) - 1;
  return static_cast<int64_t>(2 * last - std::popcount(last)) + level;
}

int64_t StoredHashCount(int64_t entries) {
  if (entries < 0 || entries > kMaxTreeSize) return -1;
  const auto n = static_cast<uint64_t>(entries);
  return static_cast<int64_t>(2 * n - std::popcount(n));
}

Result<std::vector<Hash>> StoredHashesForAppend(int64_t n, std::string_view entry,
                                                HashReader& reader) {
  return StoredHashesForLeafHash(n, LeafHash(entry), reader);
}

Result<std::vector<Hash>> StoredHashesForLeafHash(int64_t n, const Hash& leaf_hash,
                                                  HashReader& reader) {
  if (n < 0 || n >= kMaxTreeSize) {
    return Status::InvalidArgument("cannot append entry " + Str(n) + ": a log holds at most " +
                                   Str(kMaxTreeSize) + " entries");
  }
  // Each trailing 1 bit of n is a subtree that entry n completes, its left half being the
  // complete subtree just before it on that level.
  const int completed = std::countr_one(static_cast<uint64_t>(n));
  std::vector<int64_t> indexes(completed);
  for (int level = 0; level < completed; ++level) {
    indexes[completed - 1 - level] = StoredHashIndex(level, (n >> level) - 1);  // ascending
  }
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<Hash> left, ReadExactly(reader, indexes));
  std::vector<Hash> out{leaf_hash};
  for (int level = 0; level < completed; ++level) {
    out.push_back(NodeHash(left[completed - 1 - level], out.back()));
  }
  return out;
}

Result<Hash> TreeHash(int64_t size, HashReader& reader) {
  if (size < 0 || size > kMaxTreeSize) {
    return Status::InvalidArgument("no tree of size " + Str(size));
  }
  if (size == 0) return EmptyTreeHash();
  const Range whole{0, size};
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<Hash> root, RangeHashes({&whole, 1}, reader));
  return root[0];
}

Result<std::vector<Hash>> InclusionProof(int64_t index, int64_t size, HashReader& reader) {
  if (size <= 0 || size > kMaxTreeSize || index < 0 || index >= size) {
    return Status::InvalidArgument("no entry " + Str(index) + " in a tree of size " + Str(size));
  }
  return RangeHashes(InclusionRanges(index, size), reader);
}

Result<std::vector<Hash>> ConsistencyProof(int64_t from, int64_t to, HashReader& reader) {
  if (from < 0 || to > kMaxTreeSize || from > to) {
    return Status::InvalidArgument("no consistency proof from tree size " + Str(from) + " to " +
                                   Str(to));
  }
  if (from == 0 || from == to) return std::vector<Hash>{};
  return RangeHashes(ConsistencyRanges(from, to), reader);
}

Status VerifyInclusion(int64_t index, int64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root) {
  if (size <= 0) return Status::InvalidArgument("a tree of size " + Str(size) + " has no entries");
  if (index < 0 || index >= size) {
    return Status::InvalidArgument("entry " + Str(index) + " is not in a tree of size " +
                                   Str(size));
  }
  uint64_t fn = static_cast<uint64_t>(index);
  uint64_t sn = static_cast<uint64_t>(size) - 1;
  HOMEPORT_RETURN_IF_ERROR(
      CheckProofLength("inclusion proof of entry " + Str(index) + " in a tree of size " + Str(size),
                       proof.size(), InclusionPathLength(fn, sn)));
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (r != root) {
    return Status::Corruption("inclusion proof of entry " + Str(index) +
                              " does not lead to the given root of the tree of size " + Str(size));
  }
  return Status::Ok();
}

Status VerifyConsistency(int64_t from, int64_t to, const Hash& from_root, const Hash& to_root,
                         std::span<const Hash> proof) {
  if (from < 0 || to < 0 || from > to) {
    return Status::InvalidArgument("no consistency between tree sizes " + Str(from) + " and " +
                                   Str(to) + ": sizes must satisfy 0 <= from <= to");
  }
  if (from == 0 || from == to) {
    HOMEPORT_RETURN_IF_ERROR(CheckProofLength(ConsistencyName(from, to), proof.size(), 0));
    if (from == 0 && from_root != EmptyTreeHash()) {
      return Status::Corruption("the root given for the tree of size 0 is not the empty tree's");
    }
    if (from == to && from_root != to_root) {
      return Status::Corruption("the two roots given for the tree of size " + Str(to) + " differ");
    }
    return Status::Ok();
  }
  HOMEPORT_RETURN_IF_ERROR(CheckProofLength(
      ConsistencyName(from, to), proof.size(),
      ConsistencyProofLength(static_cast<uint64_t>(from), static_cast<uint64_t>(to))));
  // RFC 9162 §2.1.4.2, with the old root standing in as the first value when `from` is a power
  // of two instead of being prepended to a copy of the proof.
  size_t next = 0;
  Hash fr = std::has_single_bit(static_cast<uint64_t>(from)) ? from_root : proof[next++];
  Hash sr = fr;
  uint64_t fn = static_cast<uint64_t>(from) - 1;
  uint64_t sn = static_cast<uint64_t>(to) - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  for (; next < proof.size(); ++next) {
    const Hash& c = proof[next];
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (fr != from_root) {
    return Status::Corruption(ConsistencyName(from, to) +
                              " does not lead to the given root of the tree of size " + Str(from));
  }
  if (sr != to_root) {
    return Status::Corruption(ConsistencyName(from, to) +
                              " does not lead to the given root of the tree of size " + Str(to));
  }
  return Status::Ok();
}

Status MemoryHashStore::Append(std::string_view entry) { return AppendLeafHash(LeafHash(entry)); }

Status MemoryHashStore::AppendLeafHash(const Hash& leaf_hash) {
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<Hash> add,
                            StoredHashesForLeafHash(size_, leaf_hash, *this));
  hashes_.insert(hashes_.end(), add.begin(), add.end());
  ++size_;
  return Status::Ok();
}

Result<std::vector<Hash>> MemoryHashStore::ReadHashes(std::span<const int64_t> indexes) {
  std::vector<Hash> out;
  out.reserve(indexes.size());
  for (int64_t i : indexes) {
    if (i < 0 || static_cast<uint64_t>(i) >= hashes_.size()) {
      return Status::NotFound("no hash stored at index " + Str(i));
    }
    out.push_back(hashes_[static_cast<size_t>(i)]);
  }
  return out;
}

}  // namespace homeport::tlog
