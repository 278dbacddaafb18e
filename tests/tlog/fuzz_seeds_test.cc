// The tlog_note fuzz target's seeds (tests/fuzz/corpus/tlog_note/) are real inputs: notes that
// open with the fuzz keys, proofs that verify. They are made by TlogNoteFuzzSeeds(); this test
// fails when the checked-in files differ from what it makes, and rewrites them when run with
// HOMEPORT_UPDATE_FUZZ_SEEDS=1 in the environment.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tlog/tlog_fuzz_inputs.h"

namespace homeport::tlog {
namespace {

const std::string kCorpus = std::string(HOMEPORT_SOURCE_DIR) + "/tests/fuzz/corpus/tlog_note";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(TlogNoteFuzzSeeds, AreRealNotesAndProofs) {
  MemoryHashStore tree = testing::FuzzTree();
  const NoteVerifierKey witness[] = {testing::FuzzWitnessVerifier()};
  for (const auto& [name, content] : testing::TlogNoteFuzzSeeds()) {
    if (name.starts_with("note_")) {
      auto opened = OpenNote(content, testing::FuzzLogVerifier(), witness);
      ASSERT_TRUE(opened.ok()) << name << ": " << opened.status().ToString();
      EXPECT_TRUE(ParseCheckpoint(opened->text).ok()) << name;
    } else if (name.starts_with("checkpoint_")) {
      EXPECT_TRUE(ParseCheckpoint(content).ok()) << name;
    } else if (name.starts_with("bundle_")) {
      auto bundle = ParseInclusionBundle(content);
      ASSERT_TRUE(bundle.ok()) << name << ": " << bundle.status().ToString();
      EXPECT_TRUE(VerifyInclusionBundle(*bundle, testing::FuzzLogKey().Public()).ok()) << name;
    } else if (name.starts_with("verifier_key_")) {
      EXPECT_TRUE(NoteVerifierKey::Parse(content).ok()) << name;
    } else {
      const testing::ProofInputParts p = testing::ParseProofInput(content);
      const Status st =
          content[0] == 'i'
              ? VerifyInclusion(p.a, p.b, LeafHash(testing::TestEntry(p.a)), p.proof,
                                *TreeHash(p.b, tree))
              : VerifyConsistency(p.a, p.b, *TreeHash(p.a, tree), *TreeHash(p.b, tree), p.proof);
      EXPECT_TRUE(st.ok()) << name << ": " << st.ToString();
    }
  }
}

TEST(TlogNoteFuzzSeeds, CheckedInSeedsAreUpToDate) {
  const bool update = std::getenv("HOMEPORT_UPDATE_FUZZ_SEEDS") != nullptr;
  if (update) std::filesystem::create_directories(kCorpus);
  for (const auto& [name, content] : testing::TlogNoteFuzzSeeds()) {
    const std::string path = kCorpus + "/" + name;
    if (update) std::ofstream(path, std::ios::binary) << content;
    EXPECT_EQ(ReadFile(path), content)
        << path << " is stale: run this test with HOMEPORT_UPDATE_FUZZ_SEEDS=1";
  }
}

}  // namespace
}  // namespace homeport::tlog
