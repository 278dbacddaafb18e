// The Store conformance suite's fixture. Every backend must pass every test written against
// StoreTest: to add a backend (e.g. PostgreSQL), add one StoreBackend to AllStoreBackends()
// whose fresh_url returns the URL of a new, empty store (a fresh database or schema), and
// every TEST_P of every suite below runs against it too.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "common/testing_temp_dir.h"
#include "store/store.h"
#include "testing/postgres_test_db.h"

namespace homeport::testing {

struct StoreBackend {
  std::string name;  // test-name suffix: letters, digits, underscores
  // The URL of a fresh, empty store; `dir` is a private temp directory for any files. "" when
  // the backend's server is not there: its tests are skipped, saying why.
  std::function<std::string(const std::string& dir)> fresh_url;
};

// Test listings show the backend's name, not the bytes of the struct.
inline void PrintTo(const StoreBackend& b, std::ostream* os) { *os << b.name; }

inline std::vector<StoreBackend> AllStoreBackends() {
  return {
      {"sqlite", [](const std::string& dir) { return "sqlite:" + dir + "/homeport.db"; }},
      {"postgres", [](const std::string&) { return FreshPostgresUrl(); }},
  };
}

class StoreTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    url_ = GetParam().fresh_url(dir_.path());
    if (url_.empty()) GTEST_SKIP() << kNoPostgres;
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }

  std::unique_ptr<Store> Open() {
    auto s = Store::Open(url_);
    EXPECT_TRUE(s.ok()) << url_ << ": " << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  // Closes the store and opens the same URL again, as a restarted server would.
  void Reopen() {
    store_.reset();
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }

  // Helpers other store tests use too.
 public:
  static EnrollmentRecord Device(const std::string& batch, int n, const std::string& region = "sg",
                                 const std::string& variant = "global") {
    char serial[96];
    std::snprintf(serial, sizeof serial, "%s-%06d", batch.c_str(), n);
    return {
        serial, "HP7", "HP7-64", variant, region, batch, crypto::SecretKey::Generate().Public()};
  }

 protected:
  // Enrolls `count` devices of `batch` and returns them.
  std::vector<EnrollmentRecord> EnrollBatch(const std::string& batch, int count) {
    std::vector<EnrollmentRecord> records;
    for (int i = 1; i <= count; ++i) records.push_back(Device(batch, i));
    Status st = store_->Enroll(records);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return records;
  }

  // Without a sequence, each call takes one above every earlier call's: a newer contact.
  static Activation Act(const std::string& serial, const std::string& client = "1.0.0",
                        int64_t manifest = 1, int64_t sequence = 0) {
    static std::atomic<int64_t> next_sequence{0};
    return {serial, client, manifest, sequence != 0 ? sequence : ++next_sequence, false};
  }

  // Commits one batch of activations; fails the test if the commit fails.
  std::vector<ActivationResult> CommitAll(std::vector<Activation> activations, TimePoint now) {
    WriteBatch batch;
    batch.activations = std::move(activations);
    auto r = store_->Commit(batch, now);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    EXPECT_EQ(r->activations.size(), batch.activations.size());
    return r->activations;
  }

  ActivationResult CommitOne(const Activation& a, TimePoint now) {
    auto results = CommitAll({a}, now);
    return results.empty() ? ActivationResult{} : results[0];
  }

  std::optional<ActivationRecord> Lookup(const std::string& serial, TimePoint now,
                                         const std::string& actor = "cli:operator") {
    auto r = store_->LookupWarranty(serial, actor, now);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }

  std::vector<AccessLogEntry> AccessLogEntries() {
    auto log = store_->AccessLog();
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? *log : std::vector<AccessLogEntry>{};
  }

  // 2026-11-29 plus `h` hours, UTC.
 public:
  static TimePoint Day1(std::chrono::hours h = std::chrono::hours(9)) {
    using namespace std::chrono;
    return sys_days(2026y / 11 / 29) + h;
  }

 protected:
  TempDir dir_;
  std::string url_;
  std::unique_ptr<Store> store_;
};

inline std::string BackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

}  // namespace homeport::testing

// Runs the TEST_Ps of `fixture` (a subclass of StoreTest) against every backend.
#define HOMEPORT_STORE_CONFORMANCE(fixture)                                              \
  INSTANTIATE_TEST_SUITE_P(Backends, fixture,                                            \
                           ::testing::ValuesIn(::homeport::testing::AllStoreBackends()), \
                           ::homeport::testing::BackendName)
