// Helpers of the ingest tests: records, a synchronous append, the segment files of a log, and
// an Env whose log files fail on demand.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>

#include "common/testing_temp_dir.h"
#include "ingest/ingest_log.h"
#include "testing/env_wrapper.h"

namespace homeport::ingest_testing {

inline UxpDocument Doc(const std::string& doc_id, const std::string& client_id,
                       const std::string& text = "the screen flickers") {
  return {doc_id,
          "homeport-agent",
          "feedback",
          client_id,
          "2026-11-29",
          "2027-02-27",
          R"({"metrics":{"text":{"feedback.text":")" + text + R"("}}})",
          {}};
}

// Appends and waits for the log's answer.
inline Result<LogPosition> AppendNow(IngestLog& log, IngestRecord record) {
  std::promise<Result<LogPosition>> answer;
  if (!log.Append(std::move(record), [&](Status st, LogPosition end) {
        answer.set_value(st.ok() ? Result<LogPosition>(end) : Result<LogPosition>(st));
      })) {
    return Status::Unavailable("refused");
  }
  return answer.get_future().get();
}

// Every record from the start of the log.
inline std::vector<IngestRecord> ReadAll(IngestLog& log) {
  std::vector<IngestRecord> out;
  LogPosition at;
  for (int guard = 0; guard < 10000; ++guard) {
    auto read = log.Read(at, 1 << 20);
    EXPECT_TRUE(read.ok()) << read.status().ToString();
    if (!read.ok() || read->entries.empty()) break;
    for (auto& e : read->entries) out.push_back(std::move(e.record));
    at = read->next;
  }
  return out;
}

inline std::vector<std::string> SegmentFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".seg") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string Contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline bool AnyFileUnderContains(const std::string& dir, const std::string& needle) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && Contents(e.path().string()).find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// The real Env, except that the next `failing_syncs` syncs of an appendable file fail.
class FailingSyncEnv final : public testing::EnvWrapper {
 public:
  std::atomic<int> failing_syncs{0};

  Result<std::unique_ptr<AppendableFile>> OpenAppendable(const std::string& path) override {
    HOMEPORT_ASSIGN_OR_RETURN(auto file, target()->OpenAppendable(path));
    return std::unique_ptr<AppendableFile>(new File(std::move(file), this));
  }

 private:
  class File final : public AppendableFile {
   public:
    File(std::unique_ptr<AppendableFile> f, FailingSyncEnv* env) : f_(std::move(f)), env_(env) {}
    Status Append(std::string_view data) override { return f_->Append(data); }
    Status Sync() override {
      if (env_->failing_syncs.fetch_sub(1) > 0) return Status::IoError("injected fsync failure");
      return f_->Sync();
    }
    Status Truncate(uint64_t size) override { return f_->Truncate(size); }

   private:
    std::unique_ptr<AppendableFile> f_;
    FailingSyncEnv* env_;
  };
};

}  // namespace homeport::ingest_testing
