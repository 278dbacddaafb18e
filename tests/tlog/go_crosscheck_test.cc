// The Merkle tree and signed notes against an independent implementation: Go's
// golang.org/x/mod/sumdb/tlog and sumdb/note (Debian: golang-go, golang-golang-x-mod-dev, which
// scripts/install-deps.sh installs). tests/tlog/go/tlog_vectors.go is built offline in GOPATH
// mode; its vectors (the stored-hash layout, tree hashes, proofs) must equal what this module
// computes, its signed note must open here and be signed here byte for byte, and a checkpoint
// signed and cosigned here must open in Go. Skipped when Go is not installed.
//
// Go's RecordProof and TreeProof are RFC 6962 audit paths and consistency proofs: the same
// hashes in the same order (nearest the leaf first) as RFC 9162's PATH and PROOF, so they are
// compared as they are. The two differ only where RFC 9162 says nothing: Go's tree of size 0
// hashes to 32 zero bytes (here: SHA-256 of the empty string), and Go proves consistency only
// from a tree of size 1 or more, so the vectors start there.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/testing_temp_dir.h"
#include "crypto/base64.h"
#include "tlog/checkpoint.h"
#include "tlog/merkle.h"
#include "tlog/signed_note.h"
#include "tlog/tlog_test_support.h"

namespace homeport::tlog {
namespace {

using nlohmann::json;

constexpr const char* kGoPackages = "/usr/share/gocode/src/golang.org/x/mod/sumdb";

bool HaveGo() {
  return std::system("command -v go >/dev/null 2>&1") == 0 &&
         std::filesystem::exists(std::string(kGoPackages) + "/tlog/tlog.go") &&
         std::filesystem::exists(std::string(kGoPackages) + "/note/note.go");
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // standard output; standard error is folded in on failure only
};

// Runs `command` through the shell, capturing standard output.
CommandResult RunShell(const std::string& command) {
  CommandResult r;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf;
  while (size_t got = fread(buf.data(), 1, buf.size(), p)) r.output.append(buf.data(), got);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Quoted(const std::string& s) { return "'" + s + "'"; }

Hash HashFromBase64(const std::string& text) {
  auto raw = crypto::Base64Decode(text);
  Hash h{};
  EXPECT_TRUE(raw.ok() && raw->size() == 32) << text;
  if (raw.ok() && raw->size() == 32) std::copy(raw->begin(), raw->end(), h.begin());
  return h;
}

std::vector<Hash> HashesFromJson(const json& list) {
  std::vector<Hash> out;
  for (const json& h : list) out.push_back(HashFromBase64(h.get<std::string>()));
  return out;
}

crypto::SecretKey KeyFromSeed(std::string_view seed) {
  auto key = crypto::SecretKeyFromJwk(
      {{"kty", "OKP"}, {"crv", "Ed25519"}, {"d", crypto::Base64UrlEncode(seed)}});
  EXPECT_TRUE(key.ok());
  return *key;
}

// Builds tlog_vectors once for the suite and keeps its "vectors" output.
class GoCrossCheck : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!HaveGo()) return;
    dir_ = new homeport::testing::TempDir();
    binary_ = dir_->File("tlog_vectors");
    // GOPATH mode over Debian's packaged sources, nothing fetched, a throw-away build cache.
    const std::string env =
        "env GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOENV=off "
        "GOPROXY=off GOCACHE=" +
        Quoted(dir_->File("gocache")) + " ";
    const std::string source = std::string(HOMEPORT_SOURCE_DIR) + "/tests/tlog/go";
    CommandResult build = RunShell("cd " + Quoted(source) + " && " + env + "go build -o " +
                                   Quoted(binary_) + " tlog_vectors.go 2>&1");
    if (build.exit_code != 0) {
      build_error_ = new std::string("go build failed: " + build.output);
      return;
    }
    CommandResult out = RunShell(Quoted(binary_) + " vectors");
    if (out.exit_code != 0) {
      build_error_ = new std::string("tlog_vectors vectors failed");
      return;
    }
    vectors_ = new json(json::parse(out.output));
  }

  static void TearDownTestSuite() {
    delete vectors_;
    delete build_error_;
    delete dir_;
    vectors_ = nullptr;
    build_error_ = nullptr;
    dir_ = nullptr;
  }

  void SetUp() override {
    if (!HaveGo()) {
      GTEST_SKIP() << "Go or golang.org/x/mod is not installed (Debian packages golang-go and "
                      "golang-golang-x-mod-dev; scripts/install-deps.sh)";
    }
    ASSERT_EQ(build_error_, nullptr) << *build_error_;
    ASSERT_NE(vectors_, nullptr);
  }

  // The store of Go's entries, as many as the largest vector needs.
  static MemoryHashStore Store() {
    int64_t max = 0;
    for (const json& t : (*vectors_)["trees"]) max = std::max(max, t["size"].get<int64_t>());
    const std::string prefix = (*vectors_)["entry_prefix"];
    MemoryHashStore store;
    for (int64_t i = 0; i < max; ++i) EXPECT_TRUE(store.Append(prefix + std::to_string(i)).ok());
    return store;
  }

  static const json& vectors() { return *vectors_; }

  // Opens `note` with Go's note.Open given `verifier_key`; the JSON tlog_vectors prints.
  static CommandResult GoOpen(const std::string& note, const std::string& verifier_key) {
    const std::string path = dir_->File("note.txt");
    std::ofstream(path, std::ios::binary) << note;
    return RunShell(Quoted(binary_) + " verify " + Quoted(verifier_key) + " < " + Quoted(path) +
                    " 2>/dev/null");
  }

 private:
  static inline homeport::testing::TempDir* dir_ = nullptr;
  static inline std::string binary_;
  static inline json* vectors_ = nullptr;
  static inline std::string* build_error_ = nullptr;
};

TEST_F(GoCrossCheck, StoredHashesAreLaidOutAsGosAre) {
  MemoryHashStore store;
  const std::string prefix = vectors()["entry_prefix"];
  for (int64_t i = 0; i < 64; ++i) ASSERT_TRUE(store.Append(prefix + std::to_string(i)).ok());
  const std::vector<Hash> go_stored = HashesFromJson(vectors()["stored"]);
  EXPECT_EQ(static_cast<int64_t>(go_stored.size()), StoredHashCount(64));
  EXPECT_EQ(store.stored_hashes(), go_stored);
}

TEST_F(GoCrossCheck, TreeHashesEqualGos) {
  MemoryHashStore store = Store();
  size_t checked = 0;
  for (const json& t : vectors()["trees"]) {
    const int64_t size = t["size"];
    auto root = TreeHash(size, store);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(*root, HashFromBase64(t["root"])) << "size " << size;
    ++checked;
  }
  EXPECT_GE(checked, 48u);
  RecordProperty("tree_vectors", static_cast<int>(checked));
}

TEST_F(GoCrossCheck, InclusionProofsEqualGosRecordProofsAndVerify) {
  MemoryHashStore store = Store();
  const std::string prefix = vectors()["entry_prefix"];
  size_t checked = 0;
  for (const json& v : vectors()["inclusion"]) {
    const int64_t index = v["index"];
    const int64_t size = v["size"];
    const std::vector<Hash> go_proof = HashesFromJson(v["proof"]);
    auto proof = InclusionProof(index, size, store);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(*proof, go_proof) << index << " in " << size;
    const Status st = VerifyInclusion(index, size, LeafHash(prefix + std::to_string(index)),
                                      go_proof, *TreeHash(size, store));
    EXPECT_TRUE(st.ok()) << index << " in " << size << ": " << st.ToString();
    ++checked;
  }
  EXPECT_GE(checked, 820u);  // every index of every size up to 40, and samples of larger trees
  RecordProperty("inclusion_vectors", static_cast<int>(checked));
}

TEST_F(GoCrossCheck, ConsistencyProofsEqualGosTreeProofsAndVerify) {
  MemoryHashStore store = Store();
  size_t checked = 0;
  for (const json& v : vectors()["consistency"]) {
    const int64_t from = v["from"];
    const int64_t to = v["to"];
    const std::vector<Hash> go_proof = HashesFromJson(v["proof"]);
    auto proof = ConsistencyProof(from, to, store);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(*proof, go_proof) << from << " to " << to;
    const Status st =
        VerifyConsistency(from, to, *TreeHash(from, store), *TreeHash(to, store), go_proof);
    EXPECT_TRUE(st.ok()) << from << " to " << to << ": " << st.ToString();
    ++checked;
  }
  EXPECT_GE(checked, 820u);
  RecordProperty("consistency_vectors", static_cast<int>(checked));
}

TEST_F(GoCrossCheck, GosSignedNoteOpensHereAndIsSignedHereByteForByte) {
  const json& n = vectors()["note"];
  const std::string go_note = n["signed"];
  auto verifier = NoteVerifierKey::Parse(n["verifier_key"].get<std::string>());
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  auto opened = OpenNote(go_note, *verifier);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();

  // Go's tree note is a checkpoint with the origin "go.sum database tree".
  auto checkpoint = ParseCheckpoint(opened->text);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
  EXPECT_EQ(checkpoint->origin, "go.sum database tree");
  EXPECT_EQ(checkpoint->size, n["tree_size"].get<int64_t>());
  MemoryHashStore store = Store();
  EXPECT_EQ(checkpoint->root, *TreeHash(checkpoint->size, store));

  std::string seed;
  for (int i = 0; i < 32; ++i) seed.push_back(static_cast<char>(i));
  ASSERT_EQ(n["seed_hex"], "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const crypto::SecretKey key = KeyFromSeed(seed);
  const std::string name = n["key_name"];
  EXPECT_EQ(NoteVerifierKey::Make(name, NoteSignatureType::kEd25519, key.Public())->ToString(),
            n["verifier_key"].get<std::string>());
  auto ours = SignNote(opened->text, name, key);
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(*ours, go_note);
}

TEST_F(GoCrossCheck, OurSignedAndCosignedCheckpointOpensInGo) {
  MemoryHashStore store = Store();
  const Checkpoint checkpoint{"go.sum database tree", 23, *TreeHash(23, store), {}};
  const std::string text = *FormatCheckpoint(checkpoint);
  const crypto::SecretKey log = KeyFromSeed(std::string(32, '\x42'));
  const crypto::SecretKey witness = KeyFromSeed(std::string(32, '\x57'));
  const NoteVerifierKey log_key =
      *NoteVerifierKey::Make("homeport.example/log/sg", NoteSignatureType::kEd25519, log.Public());
  auto note = SignNote(text, log_key.name, log);
  ASSERT_TRUE(note.ok());
  auto cosigned = AddCosignature(*note, "witness.example/w1", witness, 1700000000);
  ASSERT_TRUE(cosigned.ok());

  CommandResult r = GoOpen(*cosigned, log_key.ToString());
  ASSERT_EQ(r.exit_code, 0) << "Go's note.Open refused:\n" << *cosigned;
  const json go = json::parse(r.output);
  EXPECT_EQ(go["text"], text);
  EXPECT_EQ(go["verified"], json::array({log_key.name}));
  // Go's note package knows no cosignature type; the witness line is an unknown signature there.
  EXPECT_EQ(go["unverified"], json::array({"witness.example/w1"}));
  EXPECT_EQ(go["tree_size"], 23);
  EXPECT_EQ(go["tree_root"], testing::Base64(checkpoint.root));

  // Go refuses what we would refuse: a changed text under the same signature.
  std::string tampered = *cosigned;
  tampered[tampered.find("\n23\n") + 2] = '4';
  EXPECT_NE(GoOpen(tampered, log_key.ToString()).exit_code, 0);
  EXPECT_TRUE(OpenNote(tampered, log_key).status().IsCorruption());
}

}  // namespace
}  // namespace homeport::tlog
