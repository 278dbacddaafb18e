// The stored-hash Merkle tree against RFC 9162's recursive definitions: every tree hash,
// inclusion proof and consistency proof of every tree up to 64 entries (and samples of larger
// ones, up to the size limit), verification of each, refusal of every tampered proof, root and
// size, hostile arguments, and the number of stored hashes each operation reads.
#include "tlog/merkle.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tlog/tlog_test_support.h"

namespace homeport::tlog {
namespace {

using testing::Base64;
using testing::EntriesMth;
using testing::ReferenceMth;
using testing::ReferencePath;
using testing::ReferenceProof;
using testing::TestEntries;

constexpr int64_t kSmall = 64;
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

MemoryHashStore StoreOf(const std::vector<std::string>& entries) {
  MemoryHashStore store;
  for (const std::string& e : entries) EXPECT_TRUE(store.Append(e).ok());
  return store;
}

Hash Flipped(Hash h, int bit) {
  h[bit / 8] ^= static_cast<unsigned char>(1 << (bit % 8));
  return h;
}

// Wraps a reader, counting calls and hashes read.
class CountingReader : public HashReader {
 public:
  explicit CountingReader(HashReader& inner) : inner_(inner) {}
  Result<std::vector<Hash>> ReadHashes(std::span<const int64_t> indexes) override {
    ++calls;
    hashes += indexes.size();
    return inner_.ReadHashes(indexes);
  }
  int calls = 0;
  size_t hashes = 0;

 private:
  HashReader& inner_;
};

// A tree of any size whose entries are all the same, with stored hashes computed on demand: the
// hash at a stored index depends only on its level. Lets proofs be made for trees of 2^62
// entries.
class UniformTree : public HashReader {
 public:
  UniformTree() {
    level_hash_.push_back(LeafHash("same"));
    for (int l = 1; l <= 62; ++l)
      level_hash_.push_back(NodeHash(level_hash_.back(), level_hash_.back()));
  }

  Result<std::vector<Hash>> ReadHashes(std::span<const int64_t> indexes) override {
    std::vector<Hash> out;
    for (int64_t i : indexes) out.push_back(level_hash_[LevelOf(i)]);
    return out;
  }

  // MTH of any `hi - lo` entries of this tree, from the RFC's recursion.
  Hash Mth(int64_t lo, int64_t hi) const {
    const int64_t n = hi - lo;
    if (std::has_single_bit(static_cast<uint64_t>(n)))
      return level_hash_[std::countr_zero(static_cast<uint64_t>(n))];
    const int64_t k = testing::ReferenceSplit(n);
    return testing::ReferenceNode(Mth(0, k), Mth(0, n - k));
  }

 private:
  // Entry n's leaf hash is at StoredHashIndex(0, n), the subtrees it completes right after it.
  static int LevelOf(int64_t index) {
    int64_t lo = 0;
    int64_t hi = kMaxTreeSize - 1;
    while (lo < hi) {  // the last n with StoredHashIndex(0, n) <= index
      const int64_t mid = lo + (hi - lo + 1) / 2;
      if (StoredHashIndex(0, mid) <= index)
        lo = mid;
      else
        hi = mid - 1;
    }
    return static_cast<int>(index - StoredHashIndex(0, lo));
  }

  std::vector<Hash> level_hash_;
};

TEST(MerkleTree, HashesAreDomainSeparatedSha256) {
  EXPECT_EQ(LeafHash("abc"), testing::ReferenceLeaf("abc"));
  const Hash a = LeafHash("a");
  const Hash b = LeafHash("b");
  EXPECT_EQ(NodeHash(a, b), testing::ReferenceNode(a, b));
  EXPECT_NE(NodeHash(a, b), NodeHash(b, a));
  EXPECT_EQ(Base64(EmptyTreeHash()), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

// The leaves and roots of the test tree of Certificate Transparency's reference implementation
// (RFC 6962 hashing, which RFC 9162 keeps).
TEST(MerkleTree, RootsOfTheCertificateTransparencyTestTree) {
  const std::vector<std::string> leaves = {
      "",
      std::string(1, '\0'),
      "\x10",
      "\x20\x21",
      "\x30\x31",
      "\x40\x41\x42\x43",
      "\x50\x51\x52\x53\x54\x55\x56\x57",
      "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  const char* roots_hex[] = {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                             "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                             "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                             "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                             "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                             "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                             "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  MemoryHashStore store = StoreOf(leaves);
  for (int64_t size = 1; size <= 8; ++size) {
    auto root = TreeHash(size, store);
    ASSERT_TRUE(root.ok());
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, root->data(), root->size());
    EXPECT_EQ(std::string(hex), roots_hex[size - 1]) << "size " << size;
  }
}

TEST(StoredHashes, IndexLayout) {
  // Leaf 0, leaf 1, their parent, leaf 2, leaf 3, its parent, the 4-leaf subtree, leaf 4...
  EXPECT_EQ(StoredHashIndex(0, 0), 0);
  EXPECT_EQ(StoredHashIndex(0, 1), 1);
  EXPECT_EQ(StoredHashIndex(1, 0), 2);
  EXPECT_EQ(StoredHashIndex(0, 2), 3);
  EXPECT_EQ(StoredHashIndex(0, 3), 4);
  EXPECT_EQ(StoredHashIndex(1, 1), 5);
  EXPECT_EQ(StoredHashIndex(2, 0), 6);
  EXPECT_EQ(StoredHashIndex(0, 4), 7);
  EXPECT_EQ(StoredHashCount(0), 0);
  EXPECT_EQ(StoredHashCount(1), 1);
  EXPECT_EQ(StoredHashCount(2), 3);
  EXPECT_EQ(StoredHashCount(4), 7);
  EXPECT_EQ(StoredHashCount(5), 8);
  // The largest tree's last hash is its root, and still fits.
  EXPECT_EQ(StoredHashCount(kMaxTreeSize), kMaxTreeSize + (kMaxTreeSize - 1));
  EXPECT_EQ(StoredHashIndex(62, 0), StoredHashCount(kMaxTreeSize) - 1);
  // Outside the domain: -1, not an overflowed number.
  EXPECT_EQ(StoredHashIndex(-1, 0), -1);
  EXPECT_EQ(StoredHashIndex(63, 0), -1);
  EXPECT_EQ(StoredHashIndex(0, -1), -1);
  EXPECT_EQ(StoredHashIndex(0, kMaxTreeSize), -1);
  EXPECT_EQ(StoredHashIndex(1, kMaxTreeSize / 2), -1);
  EXPECT_EQ(StoredHashIndex(0, kInt64Max), -1);
  EXPECT_EQ(StoredHashCount(-1), -1);
  EXPECT_EQ(StoredHashCount(kMaxTreeSize + 1), -1);
}

TEST(StoredHashes, EveryCompleteSubtreeIsStoredOnceAtItsIndex) {
  const std::vector<std::string> entries = TestEntries(kSmall);
  MemoryHashStore store;
  for (int64_t n = 0; n < kSmall; ++n) {
    ASSERT_TRUE(store.Append(entries[n]).ok());
    const int64_t size = n + 1;
    ASSERT_EQ(static_cast<int64_t>(store.stored_hashes().size()), StoredHashCount(size));
    for (int level = 0; (int64_t{1} << level) <= size; ++level) {
      for (int64_t k = 0; (k + 1) << level <= size; ++k) {
        EXPECT_EQ(store.stored_hashes()[StoredHashIndex(level, k)],
                  ReferenceMth(entries, k << level, (k + 1) << level))
            << "level " << level << " position " << k << " in a tree of " << size;
      }
    }
  }
}

TEST(MerkleTree, TreeHashEqualsTheRfcMthForEverySizeUpTo64) {
  const std::vector<std::string> entries = TestEntries(kSmall);
  MemoryHashStore store = StoreOf(entries);
  auto empty = TreeHash(0, store);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, testing::Sha256(""));
  for (int64_t size = 1; size <= kSmall; ++size) {
    auto root = TreeHash(size, store);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    EXPECT_EQ(*root, ReferenceMth(entries, 0, size)) << "size " << size;
  }
}

TEST(MerkleTree, LargeTreesEqualTheRfcMthAndTheirSampledProofsTheRfcPaths) {
  const std::vector<std::string> entries = TestEntries(4097);
  MemoryHashStore store = StoreOf(entries);
  const auto mth = EntriesMth(entries);
  for (int64_t size : {1000, 1023, 1024, 1025, 4096, 4097}) {
    auto root = TreeHash(size, store);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(*root, ReferenceMth(entries, 0, size)) << "size " << size;
    for (int64_t index : {int64_t{0}, size / 3, size / 2, size - 2, size - 1}) {
      auto proof = InclusionProof(index, size, store);
      ASSERT_TRUE(proof.ok());
      EXPECT_EQ(*proof, ReferencePath(index, 0, size, mth)) << index << " in " << size;
      EXPECT_TRUE(VerifyInclusion(index, size, LeafHash(entries[index]), *proof, *root).ok());
    }
    for (int64_t from : {int64_t{1}, int64_t{7}, int64_t{512}, size / 2 + 1, size - 1}) {
      auto proof = ConsistencyProof(from, size, store);
      ASSERT_TRUE(proof.ok());
      EXPECT_EQ(*proof, ReferenceProof(from, size, mth)) << from << " to " << size;
      const Hash from_root = ReferenceMth(entries, 0, from);
      EXPECT_TRUE(VerifyConsistency(from, size, from_root, *root, *proof).ok());
    }
  }
}

TEST(MerkleTree, EveryInclusionProofUpTo64IsTheRfcPathAndVerifies) {
  const std::vector<std::string> entries = TestEntries(kSmall);
  MemoryHashStore store = StoreOf(entries);
  const auto mth = EntriesMth(entries);
  int checked = 0;
  for (int64_t size = 1; size <= kSmall; ++size) {
    const Hash root = ReferenceMth(entries, 0, size);
    for (int64_t index = 0; index < size; ++index) {
      auto proof = InclusionProof(index, size, store);
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      ASSERT_EQ(*proof, ReferencePath(index, 0, size, mth)) << index << " in " << size;
      const Status st = VerifyInclusion(index, size, LeafHash(entries[index]), *proof, root);
      ASSERT_TRUE(st.ok()) << index << " in " << size << ": " << st.ToString();
      ++checked;
    }
  }
  EXPECT_EQ(checked, kSmall * (kSmall + 1) / 2);
}

TEST(MerkleTree, EveryConsistencyProofUpTo64IsTheRfcProofAndVerifies) {
  const std::vector<std::string> entries = TestEntries(kSmall);
  MemoryHashStore store = StoreOf(entries);
  const auto mth = EntriesMth(entries);
  int checked = 0;
  for (int64_t to = 0; to <= kSmall; ++to) {
    const Hash to_root = ReferenceMth(entries, 0, to);
    for (int64_t from = 0; from <= to; ++from) {
      auto proof = ConsistencyProof(from, to, store);
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      // The RFC defines PROOF for 0 < from < to; otherwise nothing needs proving.
      const std::vector<Hash> want =
          from == 0 || from == to ? std::vector<Hash>{} : ReferenceProof(from, to, mth);
      ASSERT_EQ(*proof, want) << from << " to " << to;
      const Hash from_root = ReferenceMth(entries, 0, from);
      const Status st = VerifyConsistency(from, to, from_root, to_root, *proof);
      ASSERT_TRUE(st.ok()) << from << " to " << to << ": " << st.ToString();
      ++checked;
    }
  }
  EXPECT_EQ(checked, (kSmall + 1) * (kSmall + 2) / 2);
}

TEST(MerkleTree, RefusesEveryTamperedInclusionProof) {
  constexpr int64_t kSizes = 24;
  const std::vector<std::string> entries = TestEntries(2 * kSizes);
  MemoryHashStore store = StoreOf(entries);
  for (int64_t size = 1; size <= kSizes; ++size) {
    const Hash root = ReferenceMth(entries, 0, size);
    for (int64_t index = 0; index < size; ++index) {
      const Hash leaf = LeafHash(entries[index]);
      std::vector<Hash> proof = *InclusionProof(index, size, store);
      for (size_t i = 0; i < proof.size(); ++i) {
        for (int bit : {0, 7, 100, 255}) {
          std::vector<Hash> bad = proof;
          bad[i] = Flipped(bad[i], bit);
          EXPECT_TRUE(VerifyInclusion(index, size, leaf, bad, root).IsCorruption());
        }
      }
      EXPECT_TRUE(VerifyInclusion(index, size, Flipped(leaf, 3), proof, root).IsCorruption());
      EXPECT_TRUE(VerifyInclusion(index, size, leaf, proof, Flipped(root, 200)).IsCorruption());
      // The same proof for a neighbour, or in a tree of another size.
      for (int64_t other : {index - 1, index + 1}) {
        if (other >= 0 && other < size) {
          EXPECT_FALSE(VerifyInclusion(other, size, leaf, proof, root).ok());
        }
      }
      // Against the root of another size (a proof cannot pin the size by itself: the path to
      // entry 0 of 3 entries and of 4 has the same shape; the signed checkpoint pins it).
      for (int64_t other_size : {size - 1, size + 1, 2 * size}) {
        if (other_size > index) {
          const Hash other_root = ReferenceMth(entries, 0, other_size);
          EXPECT_FALSE(VerifyInclusion(index, other_size, leaf, proof, other_root).ok());
        }
      }
      std::vector<Hash> longer = proof;
      longer.push_back(root);
      EXPECT_TRUE(VerifyInclusion(index, size, leaf, longer, root).IsInvalidArgument());
      if (!proof.empty()) {
        std::vector<Hash> shorter(proof.begin(), proof.end() - 1);
        EXPECT_TRUE(VerifyInclusion(index, size, leaf, shorter, root).IsInvalidArgument());
      }
    }
  }
}

TEST(MerkleTree, RefusesEveryTamperedConsistencyProof) {
  constexpr int64_t kSizes = 24;
  const std::vector<std::string> entries = TestEntries(kSizes + 1);
  MemoryHashStore store = StoreOf(entries);
  for (int64_t to = 1; to <= kSizes; ++to) {
    const Hash to_root = ReferenceMth(entries, 0, to);
    for (int64_t from = 1; from < to; ++from) {
      const Hash from_root = ReferenceMth(entries, 0, from);
      std::vector<Hash> proof = *ConsistencyProof(from, to, store);
      for (size_t i = 0; i < proof.size(); ++i) {
        std::vector<Hash> bad = proof;
        bad[i] = Flipped(bad[i], 42);
        EXPECT_TRUE(VerifyConsistency(from, to, from_root, to_root, bad).IsCorruption())
            << from << " to " << to << " hash " << i;
      }
      EXPECT_TRUE(
          VerifyConsistency(from, to, Flipped(from_root, 1), to_root, proof).IsCorruption());
      EXPECT_TRUE(
          VerifyConsistency(from, to, from_root, Flipped(to_root, 1), proof).IsCorruption());
      EXPECT_FALSE(VerifyConsistency(from, to, to_root, from_root, proof).ok());
      // A rewritten history: the new tree's first `from` entries are not the old ones.
      std::vector<std::string> rewritten = entries;
      rewritten[from - 1] += " (rewritten)";
      EXPECT_FALSE(
          VerifyConsistency(from, to, from_root, ReferenceMth(rewritten, 0, to), proof).ok());
      for (int64_t other : {from - 1, from + 1}) {
        if (other >= 1 && other < to) {
          EXPECT_FALSE(VerifyConsistency(other, to, from_root, to_root, proof).ok());
        }
      }
      const Hash next_root = ReferenceMth(entries, 0, to + 1);
      EXPECT_FALSE(VerifyConsistency(from, to + 1, from_root, next_root, proof).ok());
      std::vector<Hash> longer = proof;
      longer.push_back(to_root);
      EXPECT_TRUE(VerifyConsistency(from, to, from_root, to_root, longer).IsInvalidArgument());
      std::vector<Hash> shorter(proof.begin(), proof.end() - 1);
      EXPECT_TRUE(VerifyConsistency(from, to, from_root, to_root, shorter).IsInvalidArgument());
    }
    // Trivial cases still check what they can.
    const Hash wrong = Flipped(to_root, 9);
    EXPECT_TRUE(VerifyConsistency(to, to, to_root, wrong, {}).IsCorruption());
    EXPECT_TRUE(VerifyConsistency(to, to, to_root, to_root, std::vector<Hash>{to_root})
                    .IsInvalidArgument());
    EXPECT_TRUE(VerifyConsistency(0, to, wrong, to_root, {}).IsCorruption());
    EXPECT_TRUE(VerifyConsistency(0, to, EmptyTreeHash(), to_root, {}).ok());
  }
}

TEST(MerkleTree, HostileSizesAndIndexesAreRefusedNotTrusted) {
  const Hash h = LeafHash("x");
  const std::vector<Hash> one{h};
  struct Case {
    int64_t a, b;
  };
  for (Case c : {Case{0, 0}, Case{-1, 5}, Case{5, 5}, Case{6, 5}, Case{0, -1},
                 Case{std::numeric_limits<int64_t>::min(), 1}, Case{kInt64Max, kInt64Max},
                 Case{0, std::numeric_limits<int64_t>::min()}}) {
    EXPECT_TRUE(VerifyInclusion(c.a, c.b, h, one, h).IsInvalidArgument()) << c.a << " " << c.b;
  }
  for (Case c : {Case{-1, 5}, Case{6, 5}, Case{0, -1}, Case{kInt64Max, 0},
                 Case{std::numeric_limits<int64_t>::min(), kInt64Max}}) {
    EXPECT_TRUE(VerifyConsistency(c.a, c.b, h, h, one).IsInvalidArgument()) << c.a << " " << c.b;
  }
  // A proof far longer than any tree needs is refused by its length, before any hashing.
  const std::vector<Hash> huge(1'000'000, h);
  EXPECT_TRUE(VerifyInclusion(3, kInt64Max, h, huge, h).IsInvalidArgument());
  EXPECT_TRUE(VerifyConsistency(3, kInt64Max, h, h, huge).IsInvalidArgument());
  // Trees at INT64_MAX entries need 63 hashes; 63 wrong ones are wrong, not undefined.
  const std::vector<Hash> sixty_three(63, h);
  EXPECT_TRUE(VerifyInclusion(0, kInt64Max, h, sixty_three, h).IsCorruption());
  EXPECT_TRUE(
      VerifyInclusion(kInt64Max - 1, kInt64Max, h, std::vector<Hash>(62, h), h).IsCorruption());

  MemoryHashStore store = StoreOf(TestEntries(10));
  EXPECT_TRUE(InclusionProof(10, 10, store).status().IsInvalidArgument());
  EXPECT_TRUE(InclusionProof(-1, 10, store).status().IsInvalidArgument());
  EXPECT_TRUE(InclusionProof(0, kMaxTreeSize + 1, store).status().IsInvalidArgument());
  EXPECT_TRUE(ConsistencyProof(5, 4, store).status().IsInvalidArgument());
  EXPECT_TRUE(ConsistencyProof(-1, 4, store).status().IsInvalidArgument());
  EXPECT_TRUE(ConsistencyProof(1, kInt64Max, store).status().IsInvalidArgument());
  EXPECT_TRUE(TreeHash(-1, store).status().IsInvalidArgument());
  EXPECT_TRUE(TreeHash(kInt64Max, store).status().IsInvalidArgument());
  EXPECT_TRUE(StoredHashesForAppend(-1, "x", store).status().IsInvalidArgument());
  EXPECT_TRUE(StoredHashesForAppend(kMaxTreeSize, "x", store).status().IsInvalidArgument());
  // Sizes the store does not have yet: the reader's NotFound comes back.
  EXPECT_TRUE(TreeHash(11, store).status().IsNotFound());
  EXPECT_TRUE(InclusionProof(3, 20, store).status().IsNotFound());
}

TEST(MerkleTree, ProofsForTreesAtTheSizeLimitVerify) {
  UniformTree tree;
  const auto mth = [&tree](int64_t lo, int64_t hi) { return tree.Mth(lo, hi); };
  const Hash leaf = LeafHash("same");
  for (int64_t size : {kMaxTreeSize, kMaxTreeSize - 1, (int64_t{1} << 61) + 12345}) {
    auto root = TreeHash(size, tree);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    EXPECT_EQ(*root, tree.Mth(0, size));
    for (int64_t index : {int64_t{0}, size / 2 + 7, size - 1}) {
      auto proof = InclusionProof(index, size, tree);
      ASSERT_TRUE(proof.ok());
      EXPECT_EQ(*proof, ReferencePath(index, 0, size, mth));
      EXPECT_TRUE(VerifyInclusion(index, size, leaf, *proof, *root).ok());
    }
    for (int64_t from : {int64_t{1}, (int64_t{1} << 40) + 3, size - 1}) {
      auto proof = ConsistencyProof(from, size, tree);
      ASSERT_TRUE(proof.ok());
      EXPECT_EQ(*proof, ReferenceProof(from, size, mth));
      EXPECT_TRUE(VerifyConsistency(from, size, tree.Mth(0, from), *root, *proof).ok());
    }
  }
}

TEST(MerkleTree, VerifiesProofsOfTreesOfInt64MaxEntries) {
  UniformTree tree;
  const auto mth = [&tree](int64_t lo, int64_t hi) { return tree.Mth(lo, hi); };
  const Hash root = tree.Mth(0, kInt64Max);
  for (int64_t index : {int64_t{0}, kInt64Max / 2, kInt64Max - 1}) {
    const std::vector<Hash> proof = ReferencePath(index, 0, kInt64Max, mth);
    EXPECT_TRUE(VerifyInclusion(index, kInt64Max, LeafHash("same"), proof, root).ok()) << index;
  }
  for (int64_t from : {int64_t{1}, kMaxTreeSize, kInt64Max - 1}) {
    const std::vector<Hash> proof = ReferenceProof(from, kInt64Max, mth);
    EXPECT_TRUE(VerifyConsistency(from, kInt64Max, tree.Mth(0, from), root, proof).ok()) << from;
  }
}

TEST(MerkleTree, ReadsLogarithmicallyManyStoredHashesInOneCall) {
  MemoryHashStore store = StoreOf(TestEntries(1000));
  const size_t log2 = 10;  // ceil(log2(1000))
  for (int64_t size : {1, 2, 3, 511, 512, 513, 999, 1000}) {
    CountingReader reader(store);
    ASSERT_TRUE(TreeHash(size, reader).ok());
    EXPECT_EQ(reader.calls, 1);
    EXPECT_LE(reader.hashes, log2 + 1);
    for (int64_t index : {int64_t{0}, size / 2, size - 1}) {
      CountingReader r(store);
      ASSERT_TRUE(InclusionProof(index, size, r).ok());
      EXPECT_LE(r.calls, 1);
      EXPECT_LE(r.hashes, 2 * log2);
    }
    for (int64_t from : {int64_t{1}, size / 2, size - 1}) {
      if (from < 1) continue;
      CountingReader r(store);
      ASSERT_TRUE(ConsistencyProof(from, size, r).ok());
      EXPECT_LE(r.calls, 1);
      EXPECT_LE(r.hashes, 2 * log2);
    }
  }
  MemoryHashStore growing;
  for (int64_t n = 0; n < 1000; ++n) {
    CountingReader r(growing);
    auto add = StoredHashesForAppend(n, testing::TestEntry(n), r);
    ASSERT_TRUE(add.ok());
    EXPECT_EQ(add->size(), static_cast<size_t>(1 + std::countr_one(static_cast<uint64_t>(n))));
    EXPECT_LE(r.hashes, log2);
    ASSERT_TRUE(growing.Append(testing::TestEntry(n)).ok());
    EXPECT_EQ(growing.stored_hashes().back(), add->back());
  }
}

TEST(MerkleTree, AReaderReturningTheWrongNumberOfHashesIsAnError) {
  class ShortReader : public HashReader {
   public:
    Result<std::vector<Hash>> ReadHashes(std::span<const int64_t> indexes) override {
      return std::vector<Hash>(indexes.size() - 1);
    }
  } reader;
  EXPECT_EQ(TreeHash(3, reader).status().code(), Status::Code::kInternal);
  EXPECT_EQ(InclusionProof(0, 3, reader).status().code(), Status::Code::kInternal);
  EXPECT_EQ(StoredHashesForAppend(1, "x", reader).status().code(), Status::Code::kInternal);
}

TEST(MerkleTree, ErrorsSayWhatDoesNotMatch) {
  MemoryHashStore store = StoreOf(TestEntries(8));
  const Hash root = *TreeHash(8, store);
  std::vector<Hash> proof = *InclusionProof(3, 8, store);
  proof.pop_back();
  EXPECT_EQ(VerifyInclusion(3, 8, LeafHash(testing::TestEntry(3)), proof, root).message(),
            "inclusion proof of entry 3 in a tree of size 8 has 2 hashes; it must have 3");
  EXPECT_EQ(VerifyInclusion(3, 8, LeafHash("other"), *InclusionProof(3, 8, store), root).message(),
            "inclusion proof of entry 3 does not lead to the given root of the tree of size 8");
  const Hash old_root = *TreeHash(3, store);
  EXPECT_EQ(
      VerifyConsistency(3, 8, old_root, Flipped(root, 0), *ConsistencyProof(3, 8, store)).message(),
      "consistency proof from tree size 3 to 8 does not lead to the given root of the tree "
      "of size 8");
  EXPECT_EQ(VerifyInclusion(8, 8, root, {}, root).message(), "entry 8 is not in a tree of size 8");
}

}  // namespace
}  // namespace homeport::tlog
