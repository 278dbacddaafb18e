// Store conformance: the transparency log (S7). Every change it records lands in it with the
// change; the stored Merkle tree gives the same root and proofs as one recomputed from the
// entries; manifests are logged once; witnesses' cosignatures are kept per tree size.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "crypto/ed25519.h"
#include "store/log_entries.h"
#include "store/store.h"
#include "store_conformance.h"
#include "tlog/erasure_commitment.h"
#include "tlog/inclusion_bundle.h"
#include "tlog/merkle.h"

namespace homeport {
namespace {

using nlohmann::json;
using std::chrono::hours;
using testing::StoreTest;

class StoreTransparencyLog : public StoreTest {
 protected:
  std::vector<std::string> Entries() {
    auto size = store_->LogSize();
    EXPECT_TRUE(size.ok());
    std::vector<std::string> out;
    for (int64_t start = 0; size.ok() && start < *size; start += kMaxLogEntriesPerRead) {
      auto page = store_->LogEntries(start, std::min(*size, start + kMaxLogEntriesPerRead));
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      out.insert(out.end(), page->begin(), page->end());
    }
    return out;
  }
  std::vector<std::string> Types() {
    std::vector<std::string> out;
    for (const auto& e : Entries()) out.push_back(json::parse(e).value("type", "?"));
    return out;
  }
};
HOMEPORT_STORE_CONFORMANCE(StoreTransparencyLog);

TEST_P(StoreTransparencyLog, EveryRecordedChangeIsAnEntryWithNothingPersonal) {
  auto devices = EnrollBatch("B1", 3);
  CommitOne(Act(devices[0].serial), Day1());
  ASSERT_TRUE(store_->Revoke(DeviceSelection::Serial(devices[1].serial), "stolen", "cli:ops",
                             Day1()).ok());
  ASSERT_TRUE(store_->Reinstate(DeviceSelection::Batch("B1"), "found", "cli:ops", Day1()).ok());
  ASSERT_TRUE(store_->ResetDevice(devices[0].serial, "refurbished", "cli:ops", Day1()).ok());
  Lookup(devices[2].serial, Day1(), "admin-token:ops1");
  ASSERT_TRUE(store_->ExportClient("2c1e7a52-6f1b-4f39-9d6f-3c2a0e8f4b10", "cli:dpo", Day1()).ok());
  EXPECT_EQ(Types(), (std::vector<std::string>{"enrollment", "revocation", "reinstatement",
                                               "device_reset", "operator_read", "operator_read"}))
      << "activations are not logged: they are the devices' own data";

  auto entries = Entries();
  auto enrollment = json::parse(entries[0]);
  EXPECT_EQ(enrollment["batch"], "B1");
  EXPECT_EQ(enrollment["records"], 3);
  EXPECT_EQ(enrollment["records_sha256"], EnrollmentRecordsDigest(devices));
  EXPECT_EQ(json::parse(entries[1])["devices"], 1);
  EXPECT_EQ(json::parse(entries[4])["action"], "warranty.lookup");
  for (const auto& e : entries) {
    for (const auto& d : devices) EXPECT_EQ(e.find(d.serial), std::string::npos) << e;
    EXPECT_EQ(e.find("2c1e7a52"), std::string::npos) << e;
    EXPECT_EQ(e.find("stolen"), std::string::npos) << "the free-text reason stays private: " << e;
  }
}

TEST_P(StoreTransparencyLog, AnImportOfKnownRecordsAddsNoEntry) {
  auto devices = EnrollBatch("B1", 2);
  ASSERT_TRUE(store_->Enroll(devices).ok());
  auto more = Device("B2", 1);
  ASSERT_TRUE(store_->Enroll({devices[0], more}).ok());
  EXPECT_EQ(Types(), (std::vector<std::string>{"enrollment", "enrollment"}));
  EXPECT_EQ(json::parse(Entries()[1])["batch"], "B2");
  EXPECT_EQ(json::parse(Entries()[1])["records"], 1);
}

TEST_P(StoreTransparencyLog, TheStoredTreeIsTheTreeOfTheEntries) {
  for (int b = 0; b < 13; ++b) EnrollBatch("B" + std::to_string(b), 1);
  for (int i = 0; i < 20; ++i) Lookup("S" + std::to_string(i), Day1());
  auto entries = Entries();
  ASSERT_EQ(entries.size(), 33u);
  tlog::MemoryHashStore recomputed;
  for (const auto& e : entries) ASSERT_TRUE(recomputed.Append(e).ok());

  tlog::HashReader& stored = store_->LogHashes();
  for (int64_t size : {1, 2, 7, 8, 13, 32, 33}) {
    auto root = tlog::TreeHash(size, stored);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    EXPECT_EQ(*root, *tlog::TreeHash(size, recomputed)) << size;
    for (int64_t index : {int64_t{0}, size / 2, size - 1}) {
      auto proof = tlog::InclusionProof(index, size, stored);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(tlog::VerifyInclusion(index, size, tlog::LeafHash(entries[index]), *proof, *root)
                      .ok());
    }
    auto consistency = tlog::ConsistencyProof(size, 33, stored);
    ASSERT_TRUE(consistency.ok());
    EXPECT_TRUE(tlog::VerifyConsistency(size, 33, *root, *tlog::TreeHash(33, recomputed),
                                        *consistency)
                    .ok());
  }
  // The same after a restart: the tree is in the store, not in memory.
  Reopen();
  EXPECT_EQ(*tlog::TreeHash(33, store_->LogHashes()), *tlog::TreeHash(33, recomputed));
}

TEST_P(StoreTransparencyLog, ManyErasuresInOneBatchGrowTheSameTree) {
  EnrollBatch("B1", 1);  // one entry first, so that the batch starts inside a subtree
  WriteBatch batch;
  for (int i = 0; i < 37; ++i) {
    char client[40];
    std::snprintf(client, sizeof client, "2c1e7a52-6f1b-4f39-9d6f-%012d", i);
    batch.erasures.push_back({client, "2027-03-01", ""});
  }
  auto committed = store_->Commit(batch, Day1());
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  std::set<int64_t> indexes(committed->erasure_log_index.begin(),
                            committed->erasure_log_index.end());
  EXPECT_EQ(indexes.size(), 37u);
  EXPECT_EQ(*indexes.begin(), 1);
  EXPECT_EQ(*indexes.rbegin(), 37);
  Lookup("S1", Day1());  // and one more after it

  auto entries = Entries();
  ASSERT_EQ(entries.size(), 39u);
  tlog::MemoryHashStore recomputed;
  for (const auto& e : entries) ASSERT_TRUE(recomputed.Append(e).ok());
  for (int64_t size : {1, 2, 16, 32, 38, 39}) {
    EXPECT_EQ(*tlog::TreeHash(size, store_->LogHashes()), *tlog::TreeHash(size, recomputed))
        << size;
  }
}

TEST_P(StoreTransparencyLog, ReadsOutsideTheLogAreRefused) {
  EnrollBatch("B1", 1);
  EXPECT_TRUE(store_->LogEntries(0, 2).status().IsInvalidArgument());
  EXPECT_TRUE(store_->LogEntries(1, 0).status().IsInvalidArgument());
  EXPECT_TRUE(store_->LogEntries(-1, 1).status().IsInvalidArgument());
  auto empty = store_->LogEntries(1, 1);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_P(StoreTransparencyLog, AManifestIsLoggedOnce) {
  const std::string entry = ManifestEntry("ab12", "sg", 3, "kid1", Day1());
  auto first = store_->LogManifest("ab12", entry);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EnrollBatch("B1", 1);
  auto again = store_->LogManifest("ab12", ManifestEntry("ab12", "sg", 3, "kid1", Day1(hours(5))));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(Types(), (std::vector<std::string>{"manifest", "enrollment"}));
  EXPECT_EQ(Entries()[0], entry);
  // What devices and auditors match a proven entry with (tlog/inclusion_bundle.h).
  EXPECT_TRUE(tlog::IsManifestEntry(entry, "ab12"));
  EXPECT_FALSE(tlog::IsManifestEntry(entry, "ab13"));
  EXPECT_FALSE(tlog::IsErasureEntry(entry, "ab12"));
}

TEST_P(StoreTransparencyLog, AnErasureIsLoggedOncePerClientWithItsCommitmentOnly) {
  const std::string client = "2c1e7a52-6f1b-4f39-9d6f-3c2a0e8f4b10";
  const std::string other = "7d0c9b1e-8a24-4e6f-b3d1-5f6a7b8c9d0e";
  const std::string commitment = ErasureCommitment(std::string(32, 'n'), client);
  WriteBatch batch;
  batch.erasures = {{client, "2027-03-01", commitment}, {other, "2027-03-01", ""}};
  auto first = store_->Commit(batch, Day1());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->erasure_log_index.size(), 2u);
  EXPECT_EQ(Types(), (std::vector<std::string>{"erasure", "erasure"}));
  auto entries = Entries();
  auto logged = json::parse(entries[first->erasure_log_index[0]]);
  EXPECT_EQ(logged["commitment"], commitment);
  EXPECT_TRUE(tlog::IsErasureEntry(entries[first->erasure_log_index[0]], commitment));
  EXPECT_FALSE(tlog::IsErasureEntry(entries[first->erasure_log_index[1]], commitment));
  EXPECT_FALSE(tlog::IsErasureEntry(entries[first->erasure_log_index[1]], ""));
  EXPECT_FALSE(json::parse(entries[first->erasure_log_index[1]]).contains("commitment"))
      << "a Glean client that sends no commitment: the entry says only that an erasure happened";
  for (const auto& e : entries) {
    EXPECT_EQ(e.find(client), std::string::npos) << e;
    EXPECT_EQ(e.find(other), std::string::npos) << e;
  }

  // Retried or replayed, even in one batch: the entry of the first erasure, none added.
  WriteBatch again;
  again.erasures = {{client, "2027-04-01", commitment}, {client, "2027-04-01", commitment}};
  auto second = store_->Commit(again, Day1(hours(30)));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->erasure_log_index,
            (std::vector<int64_t>{first->erasure_log_index[0], first->erasure_log_index[0]}));
  EXPECT_EQ(Entries().size(), 2u);
}

TEST_P(StoreTransparencyLog, CosignaturesAreKeptPerWitnessAndSize) {
  ASSERT_TRUE(store_->AddCosignature({5, "w1", "— w1 AAAA"}).ok());
  ASSERT_TRUE(store_->AddCosignature({5, "w2", "— w2 BBBB"}).ok());
  ASSERT_TRUE(store_->AddCosignature({5, "w1", "— w1 CCCC"}).ok());
  auto at5 = store_->Cosignatures(5);
  ASSERT_TRUE(at5.ok());
  ASSERT_EQ(at5->size(), 2u);
  EXPECT_EQ((*at5)[0].line, "— w1 CCCC") << "a later cosignature replaces the earlier";
  EXPECT_EQ((*at5)[1].key_name, "w2");
  // Only the newest sizes are kept per witness.
  for (int64_t size = 6; size < 6 + kMaxCosignedSizes; ++size) {
    ASSERT_TRUE(store_->AddCosignature({size, "w1", "— w1 DDDD"}).ok());
  }
  at5 = store_->Cosignatures(5);
  ASSERT_TRUE(at5.ok());
  ASSERT_EQ(at5->size(), 1u);
  EXPECT_EQ((*at5)[0].key_name, "w2");
}

}  // namespace
}  // namespace homeport
