// Helpers for UX-program tests: an Env with files in memory, opening a UxProgram on the test
// device, and reading back what it posted — the gzip body inflated and parsed, the submission URL
// split into its parts.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "agent_test_support.h"
#include "common/gzip.h"
#include "homeport/uxp.h"

namespace homeport::agent_testing {

// FakeEnv's clock and randomness with every file written kept in memory; files it never wrote
// (the device's profile and manifest) are read from disk. For tests that write thousands of
// state files, where fsync would dominate the run time.
class MemoryFilesEnv final : public Env {
 public:
  FakeEnv fake;

  TimePoint Now() override { return fake.Now(); }
  void SleepFor(std::chrono::milliseconds d) override { fake.SleepFor(d); }
  uint64_t RandomU64() override { return fake.RandomU64(); }
  Result<std::string> ReadFile(const std::string& path) override {
    auto it = files_.find(path);
    return it != files_.end() ? Result<std::string>(it->second) : Env::Default()->ReadFile(path);
  }
  Status WriteFileAtomic(const std::string& path, std::string_view data, unsigned) override {
    files_[path] = std::string(data);
    return Status::Ok();
  }
  bool FileExists(const std::string& path) override {
    return files_.count(path) > 0 || dirs_.count(path) > 0 || Env::Default()->FileExists(path);
  }
  Status CreateDirs(const std::string& path) override {
    dirs_.insert(path);
    return Status::Ok();
  }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    std::vector<std::string> names;
    const std::string prefix = path + "/";
    for (auto it = files_.lower_bound(prefix); it != files_.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      std::string name = it->first.substr(prefix.size());
      if (name.find('/') == std::string::npos) names.push_back(std::move(name));
    }
    return names;
  }
  Status RemoveFile(const std::string& path) override {
    files_.erase(path);
    return Status::Ok();
  }

 private:
  std::map<std::string, std::string> files_;
  std::set<std::string> dirs_;
};

inline std::unique_ptr<UxProgram> OpenUxpOrDie(const AgentOptions& options) {
  auto uxp = UxProgram::Open(options);
  EXPECT_TRUE(uxp.ok()) << uxp.status().ToString();
  return uxp.ok() ? std::move(uxp).value() : nullptr;
}

// Inflates a gzip stream; "" (and a test failure) when it is not one.
inline std::string Gunzip(const std::string& data) {
  auto out = homeport::Gunzip(data, 64 << 20);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : "";
}

inline std::string Header(const TransportRequest& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

// One posted Glean document.
struct SentPing {
  std::string doc_type;  // "" when the URL is not a submission URL of homeport-agent
  std::string doc_id;
  std::string text;  // the inflated body
  nlohmann::json body;
};

inline SentPing Sent(const TransportRequest& r) {
  static const std::regex kUrl(
      R"(https://uxp\.sg\.example/submit/homeport-agent/([a-z-]+)/1/([0-9a-f-]{36}))");
  SentPing p;
  std::smatch m;
  if (std::regex_match(r.url, m, kUrl)) {
    p.doc_type = m[1];
    p.doc_id = m[2];
  }
  p.text = Gunzip(r.body);
  p.body = nlohmann::json::parse(p.text, nullptr, false);
  return p;
}

inline TransportResponse Accepted() { return Reply(200, "{\"status\":\"stored\"}"); }

inline Result<TransportResponse> Offline() {
  return Status::Unavailable("POST: Could not resolve host: uxp.sg.example");
}

}  // namespace homeport::agent_testing
