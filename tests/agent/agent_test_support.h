// Test doubles for the agent: an Env with a fake clock and injectable write failures, a
// transport that records requests and plays scripted answers, and a provisioned test device.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "homeport/agent.h"
#include "homeport/env.h"
#include "provisioning/device_profile.h"
#include "provisioning/region_manifest.h"
#include "testing/env_wrapper.h"

namespace homeport::agent_testing {

// Files go to the real filesystem; time moves only when the agent sleeps (or a test says so).
class FakeEnv final : public testing::EnvWrapper {
 public:
  TimePoint now = std::chrono::sys_days{std::chrono::year{2026} / 1 / 15} + std::chrono::hours{9};
  std::vector<std::chrono::milliseconds> sleeps;
  // When set, every RandomU64() returns it; otherwise a fixed-seed splitmix64 sequence.
  std::optional<uint64_t> fixed_random;
  bool fail_writes = false;

  TimePoint Now() override { return now; }
  void SleepFor(std::chrono::milliseconds d) override {
    sleeps.push_back(d);
    now += d;
  }
  uint64_t RandomU64() override {
    if (fixed_random) return *fixed_random;
    uint64_t z = (seed_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  Status WriteFileAtomic(const std::string& path, std::string_view data, unsigned mode) override {
    if (fail_writes) return Status::IoError("injected failure writing " + path + ": disk full");
    return target()->WriteFileAtomic(path, data, mode);
  }

 private:
  uint64_t seed_ = 42;
};

inline TransportResponse Reply(int status, std::string body,
                          std::map<std::string, std::string> headers = {}) {
  return TransportResponse{status, std::move(headers), std::move(body)};
}

inline TransportResponse ActivationReply(int status, const std::string& serial, const char* outcome,
                                    const std::string& warranty_start = "2026-01-15") {
  nlohmann::json j = {{"serial", serial}, {"warranty_start", warranty_start}, {"status", outcome}};
  return Reply(status, j.dump(), {{"content-type", "application/json"}});
}

inline TransportResponse ErrorReply(int status, const std::string& code, const std::string& message,
                               std::map<std::string, std::string> headers = {}) {
  nlohmann::json j = {{"error", code}, {"message", message}};
  return Reply(status, j.dump(), std::move(headers));
}

// Records every request. Answers from `replies` in order, then `fallback` forever.
class FakeTransport final : public HttpTransport {
 public:
  std::vector<TransportRequest> requests;
  std::deque<Result<TransportResponse>> replies;
  Result<TransportResponse> fallback = Status::Internal("the test scripted no reply");
  // Each request takes this long on `env`'s clock, as a real one would.
  FakeEnv* env = nullptr;
  std::chrono::milliseconds latency{0};

  Result<TransportResponse> Post(const TransportRequest& request) override {
    requests.push_back(request);
    if (env != nullptr) env->now += latency;
    if (replies.empty()) return fallback;
    Result<TransportResponse> next = std::move(replies.front());
    replies.pop_front();
    return next;
  }
};

// A device provisioned into a fresh temporary directory: profile, keys and a signed manifest.
class TestDevice {
 public:
  crypto::SecretKey root = crypto::SecretKey::Generate();
  crypto::SecretKey device_key = crypto::SecretKey::Generate();
  DeviceProfile profile;
  RegionManifest manifest;
  std::string dir, profile_path, manifest_path, state_dir;

  TestDevice() {
    std::string tmpl = (std::filesystem::path(::testing::TempDir()) / "agent_test.XXXXXX").string();
    dir = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
    profile_path = dir + "/profile.json";
    manifest_path = dir + "/manifest.jws";
    state_dir = dir + "/state/agent";  // missing on purpose: the agent creates it
    profile = {.serial = "HP7P-000123",
               .model = "HP7P",
               .sku = "TA-1046",
               .variant = "global",
               .region = "sg",
               .batch = "B2026-01",
               .client_version = "1.0.0",
               .device_key_jwk = crypto::ToJwk(device_key).dump(),
               .root_public_jwk = crypto::ToJwk(root.Public()).dump(),
               .made_on = "",
               .log_public_jwk = "",
               .require_log_proof = false};
    manifest = {.region = "sg",
                .variants = {"global"},
                .activation_url = "https://activation.sg.example/",
                .uxp_url = "https://uxp.sg.example",
                .tls_pins = {},
                .version = 3,
                .issued_at = "2026-01-01T00:00:00Z"};
    WriteProfile();
    WriteManifest();
  }
  ~TestDevice() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
  TestDevice(const TestDevice&) = delete;
  TestDevice& operator=(const TestDevice&) = delete;

  void WriteProfile() {
    ASSERT_TRUE(Env::Default()->WriteFileAtomic(profile_path, DeviceProfileToJson(profile)).ok());
  }
  // Signs `manifest` with `signer` (the device's own root unless given).
  void WriteManifest(const crypto::SecretKey* signer = nullptr) {
    auto jws = SignManifest(manifest, signer != nullptr ? *signer : root);
    ASSERT_TRUE(jws.ok()) << jws.status().ToString();
    ASSERT_TRUE(Env::Default()->WriteFileAtomic(manifest_path, *jws + "\n").ok());
  }

  std::string StatePath() const { return state_dir + "/activation.json"; }
  std::string TrustPath() const { return state_dir + "/trust.json"; }

  AgentOptions Options(Env* env, HttpTransport* transport) const {
    AgentOptions o;
    o.profile_path = profile_path;
    o.manifest_path = manifest_path;
    o.state_dir = state_dir;
    o.env = env;
    o.transport = transport;
    return o;
  }
};

}  // namespace homeport::agent_testing
