// What the tlog_note fuzz target (tests/fuzz/tlog_note_fuzz.cc) and its checked-in seeds
// (tests/fuzz/corpus/tlog_note/) share: the fixed keys notes are opened with, the tree proofs
// are checked against, and the input format of proofs. tests/tlog/fuzz_seeds_test.cc checks that
// the seeds are what TlogNoteFuzzSeeds() makes, and rewrites them when asked.
//
// Input: a leading 'i' is an inclusion proof, 'c' a consistency proof — then two big-endian
// int64 (index and size, or from and to) and the proof's 32-byte hashes; anything else is a
// signed note (and, as well, a checkpoint and a verifier key) — or, from a leading '{', an
// inclusion bundle checked with the fuzz log key.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/ed25519.h"
#include "tlog/checkpoint.h"
#include "tlog/inclusion_bundle.h"
#include "tlog/merkle.h"
#include "tlog/signed_note.h"
#include "tlog/tlog_test_support.h"

namespace homeport::tlog::testing {

inline constexpr int64_t kFuzzTreeSize = 64;
inline constexpr const char* kFuzzLogName = "homeport.example/fuzz-log";
inline constexpr const char* kFuzzWitnessName = "homeport.example/fuzz-witness";

inline crypto::SecretKey FuzzKey(unsigned char seed_byte) {
  crypto::SecretKey key;
  unsigned char seed[crypto_sign_SEEDBYTES];
  for (unsigned char& b : seed) b = seed_byte;
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  if (sodium_init() < 0 || crypto_sign_seed_keypair(pk, key.bytes.data(), seed) != 0) std::abort();
  return key;
}

inline crypto::SecretKey FuzzLogKey() { return FuzzKey('L'); }
inline crypto::SecretKey FuzzWitnessKey() { return FuzzKey('W'); }

inline NoteVerifierKey FuzzLogVerifier() {
  return {kFuzzLogName, NoteSignatureType::kEd25519, FuzzLogKey().Public()};
}
inline NoteVerifierKey FuzzWitnessVerifier() {
  return {kFuzzWitnessName, NoteSignatureType::kCosignatureV1, FuzzWitnessKey().Public()};
}

// The tree of TestEntry(0) ... TestEntry(63).
inline MemoryHashStore FuzzTree() {
  MemoryHashStore tree;
  for (int64_t i = 0; i < kFuzzTreeSize; ++i) {
    if (!tree.Append(TestEntry(i)).ok()) std::abort();
  }
  return tree;
}

inline void AppendBe64(std::string& out, int64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(static_cast<uint64_t>(v) >> shift));
  }
}

inline int64_t LoadBe64(std::string_view s, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return static_cast<int64_t>(v);
}

inline std::string ProofInput(char kind, int64_t a, int64_t b, const std::vector<Hash>& proof) {
  std::string out(1, kind);
  AppendBe64(out, a);
  AppendBe64(out, b);
  for (const Hash& h : proof) out += Bytes(h);
  return out;
}

struct ProofInputParts {
  int64_t a = 0;
  int64_t b = 0;
  std::vector<Hash> proof;
};

// Reads what ProofInput writes (after the kind byte); a partial last hash is ignored.
inline ProofInputParts ParseProofInput(std::string_view input) {
  ProofInputParts p;
  if (input.size() < 17) return p;
  p.a = LoadBe64(input, 1);
  p.b = LoadBe64(input, 9);
  for (size_t at = 17; at + 32 <= input.size(); at += 32) {
    Hash h;
    std::copy(input.begin() + static_cast<std::ptrdiff_t>(at),
              input.begin() + static_cast<std::ptrdiff_t>(at + 32), h.begin());
    p.proof.push_back(h);
  }
  return p;
}

// The seed corpus: file name and content.
inline std::vector<std::pair<std::string, std::string>> TlogNoteFuzzSeeds() {
  MemoryHashStore tree = FuzzTree();
  const Checkpoint checkpoint{kFuzzLogName, 17, *TreeHash(17, tree), {}};
  const std::string text = *FormatCheckpoint(checkpoint);
  const std::string signed_note = *SignNote(text, kFuzzLogName, FuzzLogKey());
  const std::string cosigned =
      *AddCosignature(signed_note, kFuzzWitnessName, FuzzWitnessKey(), 1700000000);
  const std::string also_unknown = *AddNoteSignature(cosigned, "other.example/log", FuzzKey('O'));
  Checkpoint with_extensions = checkpoint;
  with_extensions.extensions = {"Timestamp: 1700000000", "é"};
  const std::string extended = *FormatCheckpoint(with_extensions);
  return {
      {"note_signed", signed_note},
      {"note_cosigned", cosigned},
      {"note_with_unknown_signature", also_unknown},
      {"note_extensions_cosigned", *AddCosignature(*SignNote(extended, kFuzzLogName, FuzzLogKey()),
                                                   kFuzzWitnessName, FuzzWitnessKey(), 1)},
      {"checkpoint_extensions", extended},
      {"verifier_key_witness", FuzzWitnessVerifier().ToString()},
      {"inclusion_5_of_17", ProofInput('i', 5, 17, *InclusionProof(5, 17, tree))},
      {"inclusion_0_of_1", ProofInput('i', 0, 1, {})},
      {"inclusion_62_of_64", ProofInput('i', 62, 64, *InclusionProof(62, 64, tree))},
      {"consistency_7_to_17", ProofInput('c', 7, 17, *ConsistencyProof(7, 17, tree))},
      {"consistency_16_to_64", ProofInput('c', 16, 64, *ConsistencyProof(16, 64, tree))},
      {"consistency_0_to_5", ProofInput('c', 0, 5, {})},
      {"bundle_5_of_17",
       InclusionBundleToJson({5, TestEntry(5), signed_note, *InclusionProof(5, 17, tree)})},
  };
}

}  // namespace homeport::tlog::testing
