// Manifest rollback protection on the device: once a version is accepted, a lower one is refused
// (nothing sent) unless the trusted root key signed it as an explicit rollback; the floor
// survives restarts and starts from what an older agent last reported.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/device_trust.h"
#include "agent_test_support.h"
#include "homeport/agent.h"
#include "homeport/uxp.h"
#include "provisioning/root_rotation.h"

namespace homeport {
namespace {

using agent_testing::ActivationReply;
using agent_testing::FakeEnv;
using agent_testing::FakeTransport;
using agent_testing::TestDevice;

struct Device {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;

  Device() { transport.fallback = ActivationReply(200, device.profile.serial, "checked_in"); }

  // Ships manifest `version` signed by the device's root (or `signer`).
  void Ship(int64_t version, bool rollback = false, const crypto::SecretKey* signer = nullptr) {
    device.manifest.version = version;
    device.manifest.rollback = rollback;
    device.WriteManifest(signer);
  }
  AgentOptions Options() { return device.Options(&env, &transport); }
  Result<ActivationState> Boot() {
    HOMEPORT_ASSIGN_OR_RETURN(std::unique_ptr<Agent> agent, Agent::Open(Options()));
    return agent->Activate();
  }
  int64_t Highest() {
    auto trust = ReadDeviceTrust(Options());
    EXPECT_TRUE(trust.ok()) << trust.status().ToString();
    return trust.ok() ? trust->highest_manifest_version : -1;
  }
};

bool Mentions(const Status& st, const std::string& text) {
  return st.message().find(text) != std::string::npos;
}

TEST(ManifestRollback, LowerVersionIsRefusedNamingBothVersionsAndSendsNothing) {
  Device d;
  d.Ship(5);
  ASSERT_TRUE(d.Boot().ok());
  EXPECT_EQ(d.Highest(), 5);
  const size_t sent = d.transport.requests.size();

  d.Ship(3);
  auto agent = Agent::Open(d.Options());
  ASSERT_FALSE(agent.ok());
  EXPECT_TRUE(agent.status().IsPermissionDenied()) << agent.status().ToString();
  EXPECT_TRUE(Mentions(agent.status(), "version 3")) << agent.status().ToString();
  EXPECT_TRUE(Mentions(agent.status(), "version 5")) << agent.status().ToString();
  EXPECT_TRUE(Mentions(agent.status(), "rollback")) << agent.status().ToString();
  auto uxp = UxProgram::Open(d.Options());
  ASSERT_FALSE(uxp.ok());
  EXPECT_TRUE(uxp.status().IsPermissionDenied());
  EXPECT_EQ(d.transport.requests.size(), sent);
  EXPECT_EQ(d.Highest(), 5);
}

TEST(ManifestRollback, EqualAndHigherVersionsAreAcceptedAndRaiseTheFloor) {
  Device d;
  d.Ship(3);
  ASSERT_TRUE(d.Boot().ok());
  ASSERT_TRUE(d.Boot().ok());  // the same manifest at every boot
  d.Ship(4);
  ASSERT_TRUE(d.Boot().ok());
  EXPECT_EQ(d.Highest(), 4);
  d.Ship(3);
  EXPECT_TRUE(Agent::Open(d.Options()).status().IsPermissionDenied());
}

TEST(ManifestRollback, ExplicitRollbackByTheTrustedKeyIsAcceptedAndKeepsTheFloor) {
  Device d;
  d.Ship(5);
  ASSERT_TRUE(d.Boot().ok());
  d.Ship(3, /*rollback=*/true);
  auto state = d.Boot();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->manifest_version, 3);
  EXPECT_EQ(nlohmann::json::parse(d.transport.requests.back().body)["manifest_version"], 3);
  // The floor stays: the manifests the rollback did not name are still refused.
  EXPECT_EQ(d.Highest(), 5);
  d.Ship(4);
  EXPECT_TRUE(Agent::Open(d.Options()).status().IsPermissionDenied());
  d.Ship(6);
  ASSERT_TRUE(d.Boot().ok());
  EXPECT_EQ(d.Highest(), 6);
}

TEST(ManifestRollback, RollbackSignedByARetiredKeyIsRefused) {
  Device d;
  crypto::SecretKey old_root = d.device.root;
  crypto::SecretKey new_root = crypto::SecretKey::Generate();
  auto ab = SignRootRotation(old_root, new_root.Public(), "2026-01-10T00:00:00.000Z");
  ASSERT_TRUE(ab.ok());
  const std::string ab_path = d.device.dir + "/ab.jws";
  ASSERT_TRUE(d.env.WriteFileAtomic(ab_path, *ab, 0644).ok());
  AgentOptions options = d.Options();
  options.rotation_paths = {ab_path};
  d.Ship(5, false, &new_root);
  ASSERT_TRUE(Agent::Open(options).ok());

  d.Ship(2, /*rollback=*/true, &old_root);
  auto agent = Agent::Open(options);
  ASSERT_FALSE(agent.ok());
  EXPECT_TRUE(agent.status().IsPermissionDenied());
  EXPECT_TRUE(Mentions(agent.status(), old_root.Public().Thumbprint()));
  d.Ship(2, /*rollback=*/true, &new_root);
  EXPECT_TRUE(Agent::Open(options).ok());
  EXPECT_TRUE(d.transport.requests.empty());
}

TEST(ManifestRollback, FloorStartsFromTheVersionAnOlderAgentLastReported) {
  Device d;
  d.Ship(5);
  ASSERT_TRUE(d.Boot().ok());
  // As left by an agent before trust.json: activation.json alone.
  ASSERT_TRUE(d.env.RemoveFile(d.device.TrustPath()).ok());
  EXPECT_EQ(d.Highest(), 5);
  d.Ship(4);
  EXPECT_TRUE(Agent::Open(d.Options()).status().IsPermissionDenied());
  d.Ship(5);
  ASSERT_TRUE(Agent::Open(d.Options()).ok());
  EXPECT_TRUE(d.env.FileExists(d.device.TrustPath()));
}

TEST(ManifestRollback, OpeningStoresTheRecordOnlyWhenItChanges) {
  Device d;
  d.Ship(3);
  ASSERT_TRUE(d.Boot().ok());
  d.env.fail_writes = true;  // a later boot of the same firmware writes nothing
  EXPECT_TRUE(Agent::Open(d.Options()).ok());
  d.Ship(4);
  auto refused = Agent::Open(d.Options());
  EXPECT_TRUE(refused.status().IsIoError()) << refused.status().ToString();
  d.env.fail_writes = false;
  EXPECT_EQ(d.Highest(), 3);
}

TEST(TrustRecord, RoundTripsAndRefusesABrokenChain) {
  crypto::SecretKey a = crypto::SecretKey::Generate(), b = crypto::SecretKey::Generate(),
                    c = crypto::SecretKey::Generate();
  agent::TrustRecord t;
  t.rotations = {{a.Public(), b.Public(), "2026-01-10T00:00:00.000Z", "2026-01-15T09:00:00.000Z"},
                 {b.Public(), c.Public(), "2026-02-10T00:00:00.000Z", "2026-02-15T09:00:00.000Z"}};
  t.highest_manifest_version = 7;
  const std::string text = agent::SerializeTrustRecord(t);
  auto parsed = agent::ParseTrustRecord(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, t);
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["root_kid"], c.Public().Thumbprint());

  auto broken = j;
  std::swap(broken["rotations"][0], broken["rotations"][1]);
  EXPECT_TRUE(agent::ParseTrustRecord(broken.dump()).status().IsCorruption());
  auto other_root = j;
  other_root["root_public_key"] = crypto::ToJwk(a.Public());
  other_root["root_kid"] = a.Public().Thumbprint();
  EXPECT_TRUE(agent::ParseTrustRecord(other_root.dump()).status().IsCorruption());
  auto negative = j;
  negative["highest_manifest_version"] = -1;
  EXPECT_TRUE(agent::ParseTrustRecord(negative.dump()).status().IsCorruption());
  EXPECT_TRUE(agent::ParseTrustRecord(R"({"rotations": [], "highest_manifest_version": "7"})")
                  .status()
                  .IsCorruption());
  // Before any rotation the record names no root: the profile does.
  auto none = nlohmann::json::parse(agent::SerializeTrustRecord(agent::TrustRecord{}));
  EXPECT_FALSE(none.contains("root_kid"));
  none["root_kid"] = a.Public().Thumbprint();
  EXPECT_TRUE(agent::ParseTrustRecord(none.dump()).status().IsCorruption());
}

}  // namespace
}  // namespace homeport
