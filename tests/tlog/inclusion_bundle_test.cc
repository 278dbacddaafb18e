// Inclusion bundles: what a device checks offline before it lets a manifest configure it, and
// what it keeps as the proof of its erasure. Built here from a tree of test entries and the
// reference checkpoint signing, then broken one field at a time.
#include "tlog/inclusion_bundle.h"

#include <gtest/gtest.h>

#include "tlog/checkpoint.h"
#include "tlog/signed_note.h"
#include "tlog_test_support.h"

namespace homeport::tlog {
namespace {

using testing::TestEntries;

class InclusionBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& e : TestEntries(7)) ASSERT_TRUE(tree_.Append(e).ok());
  }

  InclusionBundle Bundle(int64_t index, const crypto::SecretKey& key,
                         const std::string& origin = "homeport/sg/log") {
    auto root = TreeHash(7, tree_);
    EXPECT_TRUE(root.ok());
    auto text = FormatCheckpoint({origin, 7, *root, {}});
    EXPECT_TRUE(text.ok());
    auto note = SignNote(*text, origin, key);
    EXPECT_TRUE(note.ok());
    auto proof = InclusionProof(index, 7, tree_);
    EXPECT_TRUE(proof.ok());
    return {index, testing::TestEntry(index), *note, *proof};
  }

  MemoryHashStore tree_;
  crypto::SecretKey log_key_ = crypto::SecretKey::Generate();
};

TEST_F(InclusionBundleTest, AProofOfAnEntryInTheSignedTreeVerifiesAfterARoundTrip) {
  for (int64_t i = 0; i < 7; ++i) {
    auto parsed = ParseInclusionBundle(InclusionBundleToJson(Bundle(i, log_key_)));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    auto checkpoint = VerifyInclusionBundle(*parsed, log_key_.Public(), "homeport/sg/log");
    ASSERT_TRUE(checkpoint.ok()) << i << ": " << checkpoint.status().ToString();
    EXPECT_EQ(checkpoint->size, 7);
    EXPECT_EQ(parsed->entry, testing::TestEntry(i));
  }
}

TEST_F(InclusionBundleTest, AnythingChangedIsRefused) {
  const crypto::PublicKey key = log_key_.Public();
  auto refused = [&](const InclusionBundle& b, const std::string& why) {
    auto r = VerifyInclusionBundle(b, key);
    ASSERT_FALSE(r.ok()) << why;
    EXPECT_TRUE(r.status().IsPermissionDenied()) << why << ": " << r.status().ToString();
  };
  InclusionBundle other_entry = Bundle(3, log_key_);
  other_entry.entry = "an entry the log never held";
  refused(other_entry, "an entry that is not in the tree");
  InclusionBundle moved = Bundle(3, log_key_);
  moved.index = 4;
  refused(moved, "the proof of another index");
  InclusionBundle bent = Bundle(3, log_key_);
  bent.hashes[0][0] ^= 1;
  refused(bent, "a changed proof hash");
  InclusionBundle beyond = Bundle(3, log_key_);
  beyond.index = 7;
  refused(beyond, "an index beyond the checkpoint");
  refused(Bundle(3, crypto::SecretKey::Generate()), "a checkpoint signed by another key");
  auto wrong_log = VerifyInclusionBundle(Bundle(3, log_key_, "homeport/eu/log"), key,
                                         "homeport/sg/log");
  EXPECT_TRUE(wrong_log.status().IsPermissionDenied()) << wrong_log.status().ToString();
  InclusionBundle unsigned_note = Bundle(3, log_key_);
  unsigned_note.checkpoint = unsigned_note.checkpoint.substr(0, unsigned_note.checkpoint.find("\n\n") + 1);
  refused(unsigned_note, "a checkpoint without its signature");
}

TEST_F(InclusionBundleTest, MalformedFilesAreClearErrors) {
  EXPECT_TRUE(ParseInclusionBundle("[]").status().IsInvalidArgument());
  EXPECT_TRUE(ParseInclusionBundle(R"({"index":-1,"entry":"","checkpoint":"","hashes":[]})")
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(ParseInclusionBundle(R"({"index":1,"entry":"!!","checkpoint":"","hashes":[]})")
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(ParseInclusionBundle(R"({"index":1,"entry":"","checkpoint":"","hashes":["AAAA"]})")
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(ParseInclusionBundle(std::string(kMaxInclusionBundleBytes + 1, ' '))
                  .status()
                  .IsResourceExhausted());
}

TEST_F(InclusionBundleTest, FetchingAsksTheLogsPublicEndpoints) {
  InclusionBundle expected = Bundle(5, log_key_);
  std::vector<std::string> asked;
  LogGet get = [&](const std::string& path) -> Result<std::string> {
    asked.push_back(path);
    if (path == "/v1/log/checkpoint") return expected.checkpoint;
    if (path == "/v1/log/entries?start=5&end=6") {
      return R"({"entries":[{"index":5,"data":")" + crypto::Base64Encode(expected.entry) +
             R"("}]})";
    }
    if (path == "/v1/log/proof/inclusion?index=5&size=7") {
      std::string hashes;
      for (const auto& h : expected.hashes) {
        hashes += (hashes.empty() ? "\"" : ",\"") + testing::Base64(h) + "\"";
      }
      return R"({"hashes":[)" + hashes + "]}";
    }
    return Status::NotFound(path);
  };
  auto fetched = FetchInclusionBundle(get, 5);
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_TRUE(VerifyInclusionBundle(*fetched, log_key_.Public()).ok());
  EXPECT_EQ(asked.size(), 3u);
  EXPECT_TRUE(FetchInclusionBundle(get, 7).status().IsNotFound()) << "beyond the log";
}

}  // namespace
}  // namespace homeport::tlog
