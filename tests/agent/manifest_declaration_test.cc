// D1 and the manifest's data-flow declaration: a device sends nothing under a signed manifest
// whose declaration contradicts its own endpoints (an endpoint outside the declared hosts, a
// cleartext endpoint without declared cleartext), and works as before under a consistent one
// or under a manifest without a declaration.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent_test_support.h"
#include "crypto/jws.h"
#include "homeport/agent.h"

namespace homeport {
namespace {

using agent_testing::ActivationReply;
using agent_testing::FakeEnv;
using agent_testing::FakeTransport;
using agent_testing::TestDevice;
using nlohmann::json;

// Signs the device's manifest with its root key as a maker's tool other than SignManifest
// might, with `data_flow` as the declaration: SignManifest itself refuses an inconsistent one.
void WriteSignedAsIs(TestDevice& device, const json& data_flow) {
  const RegionManifest& m = device.manifest;
  json payload = {
      {"region", m.region},       {"variants", m.variants}, {"activation_url", m.activation_url},
      {"uxp_url", m.uxp_url},     {"tls_pins", m.tls_pins}, {"version", m.version},
      {"issued_at", m.issued_at}, {"data_flow", data_flow}};
  const std::string jws =
      crypto::SignCompact(payload.dump(), device.root, {{"typ", "homeport-manifest+jws"}});
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(device.manifest_path, jws + "\n").ok());
}

// Opens the agent and activates; the refusal, if any, and what was sent.
struct Attempt {
  Status status;
  size_t requests = 0;
  bool state_written = false;
};

Attempt Boot(TestDevice& device) {
  FakeEnv env;
  FakeTransport transport;
  transport.fallback = ActivationReply(201, device.profile.serial, "activated");
  Attempt a;
  auto agent = Agent::Open(device.Options(&env, &transport));
  if (!agent.ok()) {
    a.status = agent.status();
  } else {
    auto state = (*agent)->Activate();
    a.status = state.ok() ? Status::Ok() : state.status();
  }
  a.requests = transport.requests.size();
  a.state_written = env.FileExists(device.StatePath());
  return a;
}

TEST(AgentManifestDeclaration, RefusesEndpointOutsideTheDeclaredHosts) {
  TestDevice device;
  WriteSignedAsIs(device, {{"allow_hosts", {"uxp.sg.example", "time.example.org"}},
                           {"allow_identifiers", json::array()},
                           {"allow_cleartext", false}});
  Attempt a = Boot(device);
  ASSERT_TRUE(a.status.IsPermissionDenied()) << a.status.ToString();
  EXPECT_NE(a.status.message().find("\"activation.sg.example\""), std::string::npos)
      << a.status.message();
  EXPECT_NE(a.status.message().find("declared hosts"), std::string::npos) << a.status.message();
  EXPECT_NE(a.status.message().find("refusing to send anything"), std::string::npos);
  EXPECT_EQ(a.requests, 0u);
  EXPECT_FALSE(a.state_written);
}

TEST(AgentManifestDeclaration, RefusesCleartextEndpointWithoutDeclaredCleartext) {
  TestDevice device;
  device.manifest.activation_url = "http://activation.sg.example";
  WriteSignedAsIs(device, {{"allow_hosts", {"*.sg.example"}}, {"allow_countries", {"SG"}}});
  Attempt a = Boot(device);
  ASSERT_TRUE(a.status.IsPermissionDenied()) << a.status.ToString();
  EXPECT_NE(a.status.message().find("http://activation.sg.example"), std::string::npos)
      << a.status.message();
  EXPECT_NE(a.status.message().find("allow_cleartext"), std::string::npos) << a.status.message();
  EXPECT_EQ(a.requests, 0u);
}

TEST(AgentManifestDeclaration, RefusesAMalformedDeclaration) {
  TestDevice device;
  WriteSignedAsIs(device, {{"allow_hosts", {"*"}}});
  Attempt a = Boot(device);
  ASSERT_TRUE(a.status.IsPermissionDenied()) << a.status.ToString();
  EXPECT_EQ(a.requests, 0u);

  WriteSignedAsIs(device, {{"allow_hosts", {"*.sg.example"}}, {"allow_ports", {443}}});
  a = Boot(device);
  ASSERT_TRUE(a.status.IsPermissionDenied()) << a.status.ToString();
  EXPECT_NE(a.status.message().find("allow_ports"), std::string::npos) << a.status.message();
  EXPECT_EQ(a.requests, 0u);
}

TEST(AgentManifestDeclaration, ActivatesUnderAConsistentDeclaration) {
  TestDevice device;
  device.manifest.data_flow = DataFlowDeclaration{
      .allow_hosts = {"*.sg.example", "time.example.org"},
      .allow_countries = {"SG"},
      .allow_identifiers = {},
  };
  device.WriteManifest();
  Attempt a = Boot(device);
  EXPECT_TRUE(a.status.ok()) << a.status.ToString();
  EXPECT_EQ(a.requests, 1u);
  EXPECT_TRUE(a.state_written);

  // Cleartext, declared.
  TestDevice plain;
  plain.manifest.activation_url = "http://activation.sg.example";
  plain.manifest.data_flow =
      DataFlowDeclaration{.allow_hosts = {"activation.sg.example", "uxp.sg.example"},
                          .allow_countries = {},
                          .allow_identifiers = {},
                          .allow_cleartext = true};
  plain.WriteManifest();
  a = Boot(plain);
  EXPECT_TRUE(a.status.ok()) << a.status.ToString();
  EXPECT_EQ(a.requests, 1u);
}

TEST(AgentManifestDeclaration, AManifestWithoutADeclarationWorksAsBefore) {
  TestDevice device;
  device.manifest.activation_url = "http://activation.sg.example";  // as manifests of before
  device.WriteManifest();
  Attempt a = Boot(device);
  EXPECT_TRUE(a.status.ok()) << a.status.ToString();
  EXPECT_EQ(a.requests, 1u);
}

}  // namespace
}  // namespace homeport
