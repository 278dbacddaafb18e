// IngestLoader over a SQLite store: exactly once, erasure across log and store, restarts and
// an unavailable store.
#include "ingest/ingest_loader.h"
#include "store/log_entries.h"
#include "tlog/erasure_commitment.h"

#include <gtest/gtest.h>

#include "ingest_test_support.h"

namespace homeport {
namespace {

using ingest_testing::AnyFileUnderContains;
using ingest_testing::AppendNow;
using ingest_testing::Doc;

// A commit path whose commits fail while `down` is set, as a database that went away would.
class SwitchableStore final : public CommitStore {
 public:
  explicit SwitchableStore(Store& base) : base_(base) {}
  std::atomic<bool> down{false};
  std::atomic<int> commits{0};

  Result<std::optional<EnrollmentRecord>> FindEnrollment(const std::string& s) override {
    return base_.FindEnrollment(s);
  }
  Result<BatchResult> Commit(const WriteBatch& batch, TimePoint now) override {
    if (down) return Status::Unavailable("the database is down");
    ++commits;
    return base_.Commit(batch, now);
  }

 private:
  Store& base_;
};

class IngestLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open("sqlite:" + dir_.File("sg.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    OpenLog();
  }
  void OpenLog() {
    auto log = IngestLog::Open({.dir = LogDir()}, Env::Default());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
  }
  void StartLoader(CommitStore& store) {
    loader_ = std::make_unique<IngestLoader>(
        *log_, store, Env::Default(), nullptr,
        IngestLoaderOptions{.retry_first = std::chrono::milliseconds(5),
                            .retry_last = std::chrono::milliseconds(20)});
  }
  void StopAll() {
    if (log_) log_->Stop();
    if (loader_) loader_->Stop();
    loader_.reset();
    log_.reset();
  }
  void TearDown() override { StopAll(); }

  std::string LogDir() { return dir_.File("sg.db.ingest"); }
  std::vector<UxpDocument> Stored(const std::string& client) {
    auto docs = store_->ExportClient(client, "test", Env::Default()->Now());
    EXPECT_TRUE(docs.ok());
    return docs.ok() ? *docs : std::vector<UxpDocument>{};
  }
  Result<IngestLoader::ErasureOutcome> EraseLogged(const std::string& client,
                                                    const std::string& commitment = "") {
    std::promise<Result<IngestLoader::ErasureOutcome>> answer;
    IngestLoader* loader = loader_.get();
    EXPECT_TRUE(log_->Append(ClientErasure{client, "2027-02-27", commitment},
                             [&, loader](Status st, LogPosition end) {
                               if (!st.ok()) return answer.set_value(st);
                               loader->AwaitErasure(end, [&](auto r) {
                                 answer.set_value(std::move(r));
                               });
                             }));
    return answer.get_future().get();
  }
  Result<int64_t> Erase(const std::string& client) {
    auto outcome = EraseLogged(client);
    if (!outcome.ok()) return outcome.status();
    return outcome->documents;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<IngestLog> log_;
  std::unique_ptr<IngestLoader> loader_;
};

TEST_F(IngestLoaderTest, ErasureIsAnsweredWithTheLogEntryThatRecordsItsCommitment) {
  StartLoader(*store_);
  const std::string commitment = ErasureCommitment(std::string(32, 'n'), "c-1");
  auto first = EraseLogged("c-1", commitment);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto entries = store_->LogEntries(first->log_index, first->log_index + 1);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_NE(entries->front().find("\"commitment\":\"" + commitment + "\""), std::string::npos)
      << entries->front();
  EXPECT_EQ(entries->front().find("c-1"), std::string::npos) << entries->front();
  // Sent again (its answer was lost): the same entry, none added.
  auto again = EraseLogged("c-1", commitment);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->log_index, first->log_index);
  auto size = store_->LogSize();
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, first->log_index + 1);
}

TEST_F(IngestLoaderTest, AcknowledgedDocumentsReachTheStoreOnceHoweverOftenSent) {
  StartLoader(*store_);
  ASSERT_TRUE(AppendNow(*log_, Doc("d-1", "c-1")).ok());
  ASSERT_TRUE(AppendNow(*log_, Doc("d-1", "c-1")).ok());
  ASSERT_TRUE(loader_->WaitLoaded(std::chrono::seconds(10)).ok());
  ASSERT_TRUE(AppendNow(*log_, Doc("d-1", "c-1")).ok());  // resent after it was loaded
  ASSERT_TRUE(AppendNow(*log_, Doc("d-2", "c-1")).ok());
  ASSERT_TRUE(loader_->WaitLoaded(std::chrono::seconds(10)).ok());
  EXPECT_EQ(Stored("c-1").size(), 2u);
}

TEST_F(IngestLoaderTest, ErasureIsAnsweredOnceNoFileOfTheServerHoldsTheClientsDocuments) {
  StartLoader(*store_);
  ASSERT_TRUE(AppendNow(*log_, Doc("d-1", "c-1", "call me on 0123 secret-one")).ok());
  ASSERT_TRUE(AppendNow(*log_, Doc("d-2", "c-2", "keep this")).ok());
  ASSERT_TRUE(AppendNow(*log_, Doc("d-3", "c-1", "secret-two")).ok());
  auto erased = Erase("c-1");
  ASSERT_TRUE(erased.ok()) << erased.status().ToString();
  EXPECT_EQ(*erased, 2);
  EXPECT_TRUE(Stored("c-1").empty());
  EXPECT_EQ(Stored("c-2").size(), 1u);
  EXPECT_FALSE(AnyFileUnderContains(LogDir(), "secret-one"));
  EXPECT_FALSE(AnyFileUnderContains(LogDir(), "secret-two"));
  EXPECT_FALSE(AnyFileUnderContains(dir_.path(), "secret-one"));
}

TEST_F(IngestLoaderTest, DocumentOfAnErasedClientArrivingLaterIsNotStored) {
  StartLoader(*store_);
  ASSERT_TRUE(AppendNow(*log_, Doc("d-1", "c-1")).ok());
  ASSERT_TRUE(Erase("c-1").ok());
  ASSERT_TRUE(AppendNow(*log_, Doc("d-1", "c-1")).ok());  // resent by a client that lagged
  ASSERT_TRUE(AppendNow(*log_, Doc("d-9", "c-1")).ok());
  ASSERT_TRUE(loader_->WaitLoaded(std::chrono::seconds(10)).ok());
  EXPECT_TRUE(Stored("c-1").empty());
}

TEST_F(IngestLoaderTest, StartLoadsWhatTheLogHoldsAndTheStoreLacks) {
  // A server that acknowledged documents and died before its loader ran.
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(AppendNow(*log_, Doc("d-" + std::to_string(i), "c-1")).ok());
  }
  ASSERT_TRUE(AppendNow(*log_, ClientErasure{"c-2", "2027-02-27", ""}).ok());
  StopAll();
  OpenLog();
  StartLoader(*store_);
  ASSERT_TRUE(loader_->WaitLoaded(std::chrono::seconds(10)).ok());
  EXPECT_EQ(Stored("c-1").size(), 50u);
  // Loaded twice (a crash after the store's commit, before the segment went): no change.
  StopAll();
  OpenLog();
  StartLoader(*store_);
  ASSERT_TRUE(loader_->WaitLoaded(std::chrono::seconds(10)).ok());
  EXPECT_EQ(Stored("c-1").size(), 50u);
}

TEST_F(IngestLoaderTest, UnavailableStoreDelaysLoadingAndLosesNothing) {
  SwitchableStore store(*store_);
  store.down = true;
  StartLoader(store);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(AppendNow(*log_, Doc("d-" + std::to_string(i), "c-1")).ok());
  }
  Status waited = loader_->WaitLoaded(std::chrono::milliseconds(100));
  EXPECT_TRUE(waited.IsUnavailable()) << waited.ToString();
  EXPECT_TRUE(Stored("c-1").empty());
  store.down = false;
  ASSERT_TRUE(loader_->WaitLoaded(std::chrono::seconds(10)).ok());
  EXPECT_EQ(Stored("c-1").size(), 20u);
}

TEST_F(IngestLoaderTest, StopWithTheStoreDownKeepsTheRecordsForTheNextStart) {
  SwitchableStore store(*store_);
  store.down = true;
  StartLoader(store);
  ASSERT_TRUE(AppendNow(*log_, Doc("d-1", "c-1")).ok());
  StopAll();
  OpenLog();
  StartLoader(*store_);
  ASSERT_TRUE(loader_->WaitLoaded(std::chrono::seconds(10)).ok());
  EXPECT_EQ(Stored("c-1").size(), 1u);
}

TEST_F(IngestLoaderTest, ManyRecordsGoInFewTransactions) {
  SwitchableStore store(*store_);
  store.down = true;  // let the log fill first
  StartLoader(store);
  std::atomic<int> durable{0};
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(log_->Append(Doc("d-" + std::to_string(i), "c-" + std::to_string(i % 7)),
                             [&](Status st, LogPosition) { durable += st.ok(); }));
  }
  while (durable < 2000) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  store.down = false;
  ASSERT_TRUE(loader_->WaitLoaded(std::chrono::seconds(20)).ok());
  auto counts = store_->DocumentCounts();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ(counts->at(0).second, 2000);
  EXPECT_LT(store.commits.load(), 20);
}

}  // namespace
}  // namespace homeport
