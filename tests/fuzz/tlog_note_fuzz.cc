// The transparency log's outside input: signed notes and checkpoints as a log serves them and a
// witness sends them back, verifier keys as operators configure them, and proofs as
// `homeport log verify` downloads them (format: tests/tlog/tlog_fuzz_inputs.h). Besides "no
// crash", it checks that what parses is canonical (joining or formatting it again gives the input
// back), that an opened note was signed by the required key, and that a proof over the fixed
// 64-entry tree verifies exactly when it is the true proof. Input starting with '{' is an
// inclusion bundle (tlog/inclusion_bundle.h), as a device reads one.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "tlog/checkpoint.h"
#include "tlog/inclusion_bundle.h"
#include "tlog/merkle.h"
#include "tlog/signed_note.h"
#include "tlog/tlog_fuzz_inputs.h"

namespace homeport::tlog {
namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

struct Fixture {
  MemoryHashStore tree = testing::FuzzTree();
  NoteVerifierKey log = testing::FuzzLogVerifier();
  NoteVerifierKey witness = testing::FuzzWitnessVerifier();
};

Fixture& Fixed() {
  static auto* fixture = new Fixture();
  return *fixture;
}

bool InTree(int64_t size) { return size >= 0 && size <= testing::kFuzzTreeSize; }

Hash Root(int64_t size) {
  // Sizes outside the fixed tree get a hash that is no tree's root.
  if (!InTree(size)) return LeafHash("not a root");
  auto root = TreeHash(size, Fixed().tree);
  if (!root.ok()) Fail("tree hash of the fixed tree");
  return *root;
}

void CheckInclusion(std::string_view input) {
  const testing::ProofInputParts p = testing::ParseProofInput(input);
  const bool real_entry = p.a >= 0 && p.a < p.b && p.b <= testing::kFuzzTreeSize;
  const Hash leaf = real_entry ? LeafHash(testing::TestEntry(p.a)) : LeafHash("x");
  const Status st = VerifyInclusion(p.a, p.b, leaf, p.proof, Root(p.b));
  if (!real_entry) {
    if (st.ok()) Fail("inclusion verified outside the tree");
    return;
  }
  auto truth = InclusionProof(p.a, p.b, Fixed().tree);
  if (!truth.ok()) Fail("inclusion proof of the fixed tree");
  if (st.ok() != (p.proof == *truth)) Fail("inclusion verifies exactly the true proof");
}

void CheckConsistency(std::string_view input) {
  const testing::ProofInputParts p = testing::ParseProofInput(input);
  const Status st = VerifyConsistency(p.a, p.b, Root(p.a), Root(p.b), p.proof);
  if (p.a >= 0 && p.a <= p.b && p.b <= testing::kFuzzTreeSize) {
    auto truth = ConsistencyProof(p.a, p.b, Fixed().tree);
    if (!truth.ok()) Fail("consistency proof of the fixed tree");
    if (st.ok() != (p.proof == *truth)) Fail("consistency verifies exactly the true proof");
    return;
  }
  // Beyond the tree only the trivial claims hold: the empty tree, or a tree and itself (whose
  // stand-in roots are equal), with an empty proof.
  const bool trivial = p.a >= 0 && p.a <= p.b && (p.a == 0 || p.a == p.b) && p.proof.empty();
  if (st.ok() != trivial) Fail("consistency beyond the tree verifies only trivial claims");
}

void CheckNote(std::string_view input) {
  auto split = SplitSignedNote(input);
  if (split.ok() && JoinSignedNote(*split) != input) Fail("split note joins back to the input");
  const NoteVerifierKey witness[] = {Fixed().witness};
  auto opened = OpenNote(input, Fixed().log, witness);
  if (opened.ok()) {
    if (!split.ok() || opened->text != split->text) Fail("opened note has the split text");
    if (std::none_of(opened->verified.begin(), opened->verified.end(),
                     [](const VerifiedNoteSignature& v) { return v.key == Fixed().log; })) {
      Fail("opened note is signed by the log");
    }
    auto checkpoint = ParseCheckpoint(opened->text);
    if (checkpoint.ok() && *FormatCheckpoint(*checkpoint) != opened->text) {
      Fail("checkpoint in a note formats back to its text");
    }
  }
  auto checkpoint = ParseCheckpoint(input);
  if (checkpoint.ok()) {
    auto text = FormatCheckpoint(*checkpoint);
    if (!text.ok() || *text != input) Fail("checkpoint formats back to its text");
  }
  auto key = NoteVerifierKey::Parse(input);
  if (key.ok()) {
    auto again = NoteVerifierKey::Parse(key->ToString());
    if (!again.ok() || !(*again == *key)) Fail("verifier key reads back from its text");
  }
}

// An inclusion bundle (a manifest's proof a device checks, an erasure receipt): what parses
// writes back to the same bundle, and what verifies with the log key is a true entry of the
// fixed tree with its true proof (the log key signs only checkpoints of that tree).
void CheckBundle(std::string_view input) {
  auto bundle = ParseInclusionBundle(input);
  if (!bundle.ok()) return;
  auto again = ParseInclusionBundle(InclusionBundleToJson(*bundle));
  if (!again.ok() || again->index != bundle->index || again->entry != bundle->entry ||
      again->checkpoint != bundle->checkpoint || again->hashes != bundle->hashes) {
    Fail("a parsed bundle reads back from its JSON");
  }
  auto checkpoint = VerifyInclusionBundle(*bundle, Fixed().log.key);
  if (!checkpoint.ok()) return;
  if (!InTree(checkpoint->size) || bundle->entry != testing::TestEntry(bundle->index)) {
    Fail("a verified bundle proves an entry of the tree");
  }
  auto truth = InclusionProof(bundle->index, checkpoint->size, Fixed().tree);
  if (!truth.ok() || *truth != bundle->hashes) Fail("a verified bundle holds the true proof");
}

}  // namespace
}  // namespace homeport::tlog

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!input.empty() && input[0] == 'i') {
    homeport::tlog::CheckInclusion(input);
  } else if (!input.empty() && input[0] == 'c') {
    homeport::tlog::CheckConsistency(input);
  } else if (!input.empty() && input[0] == '{') {
    homeport::tlog::CheckBundle(input);
  } else {
    homeport::tlog::CheckNote(input);
  }
  return 0;
}
