// Root key rotation on the device: a statement of the trusted key moves the device's trust once
// and for good; manifests and statements of a key it has left are refused; forged statements
// change nothing; and every refusal sends nothing.
#include "provisioning/root_rotation.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/device_trust.h"
#include "agent_test_support.h"
#include "crypto/base64.h"
#include "crypto/jws.h"
#include "homeport/agent.h"
#include "homeport/uxp.h"

namespace homeport {
namespace {

using agent_testing::ActivationReply;
using agent_testing::FakeEnv;
using agent_testing::FakeTransport;
using agent_testing::TestDevice;
using crypto::SecretKey;

// A device of root key A with the keys it may be moved to, B and C.
struct RotatingDevice {
  TestDevice device;
  SecretKey& a = device.root;
  SecretKey b = SecretKey::Generate();
  SecretKey c = SecretKey::Generate();
  FakeEnv env;
  FakeTransport transport;

  RotatingDevice() {
    transport.fallback = ActivationReply(201, device.profile.serial, "activated");
  }

  // Writes the statement `from` signs for `to` to a file of the device's folder; returns it.
  std::string Rotation(const std::string& name, const SecretKey& from, const SecretKey& to) {
    auto jws = SignRootRotation(from, to.Public(), "2026-01-10T00:00:00.000Z");
    EXPECT_TRUE(jws.ok()) << jws.status().ToString();
    return Write(name, jws.ok() ? *jws + "\n" : "");
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = device.dir + "/" + name;
    EXPECT_TRUE(Env::Default()->WriteFileAtomic(path, text).ok());
    return path;
  }
  AgentOptions Options(std::vector<std::string> rotations = {}) {
    AgentOptions o = device.Options(&env, &transport);
    o.rotation_paths = std::move(rotations);
    return o;
  }
  // One boot: open with `rotations`, activate.
  Result<ActivationState> Boot(std::vector<std::string> rotations = {}) {
    HOMEPORT_ASSIGN_OR_RETURN(std::unique_ptr<Agent> agent, Agent::Open(Options(rotations)));
    return agent->Activate();
  }
  std::string TrustedKid() {
    auto trust = ReadDeviceTrust(Options());
    EXPECT_TRUE(trust.ok()) << trust.status().ToString();
    return trust.ok() ? trust->root_kid : "";
  }
  std::string TrustFile() {
    auto text = env.ReadFile(device.TrustPath());
    return text.ok() ? *text : "(none)";
  }
};

bool Mentions(const Status& st, const std::string& text) {
  return st.message().find(text) != std::string::npos;
}

TEST(RootRotation, IsAppliedOnceAndPersistsAcrossRestarts) {
  RotatingDevice d;
  const std::string ab = d.Rotation("ab.jws", d.a, d.b);
  d.device.WriteManifest(&d.b);
  auto first = d.Boot({ab});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(d.transport.requests.size(), 1u);
  EXPECT_EQ(d.TrustedKid(), d.b.Public().Thumbprint());
  auto trust = ReadDeviceTrust(d.Options());
  ASSERT_TRUE(trust.ok());
  ASSERT_EQ(trust->rotations.size(), 1u);
  EXPECT_EQ(trust->rotations[0].old_kid, d.a.Public().Thumbprint());
  EXPECT_EQ(trust->rotations[0].new_kid, d.b.Public().Thumbprint());
  EXPECT_EQ(trust->rotations[0].issued_at, "2026-01-10T00:00:00.000Z");
  EXPECT_EQ(trust->rotations[0].applied_at, "2026-01-15T09:00:00.000Z");
  const std::string recorded = d.TrustFile();

  // A restart without the statement: the persisted trust verifies B's manifest.
  d.env.now += std::chrono::hours(24);
  auto restarted = d.Boot();
  ASSERT_TRUE(restarted.ok()) << restarted.status().ToString();
  EXPECT_EQ(restarted->outcome, ActivationOutcome::kCached);
  // The statement shipped again with every later update is not applied a second time.
  ASSERT_TRUE(d.Boot({ab}).ok());
  EXPECT_EQ(d.TrustFile(), recorded);
  EXPECT_EQ(d.transport.requests.size(), 1u);
}

TEST(RootRotation, ManifestOfTheOldKeyIsRefusedAfterTheMoveAndSendsNothing) {
  RotatingDevice d;
  d.device.WriteManifest(&d.b);
  ASSERT_TRUE(d.Boot({d.Rotation("ab.jws", d.a, d.b)}).ok());
  const std::string recorded = d.TrustFile();
  const size_t sent = d.transport.requests.size();

  d.device.manifest.version = 4;  // newer, even: the key decides
  d.device.WriteManifest(&d.a);
  auto agent = Agent::Open(d.Options());
  ASSERT_FALSE(agent.ok());
  EXPECT_TRUE(agent.status().IsPermissionDenied()) << agent.status().ToString();
  EXPECT_TRUE(Mentions(agent.status(), d.a.Public().Thumbprint())) << agent.status().ToString();
  EXPECT_TRUE(Mentions(agent.status(), d.b.Public().Thumbprint())) << agent.status().ToString();
  EXPECT_TRUE(Mentions(agent.status(), "rotated away")) << agent.status().ToString();
  EXPECT_EQ(d.transport.requests.size(), sent);
  EXPECT_EQ(d.TrustFile(), recorded);

  // The UX program refuses it alike.
  auto uxp = UxProgram::Open(d.Options());
  ASSERT_FALSE(uxp.ok());
  EXPECT_TRUE(uxp.status().IsPermissionDenied());
  EXPECT_EQ(d.transport.requests.size(), sent);
}

TEST(RootRotation, WithoutAnyRotationTheProfileKeyIsTrustedAsBefore) {
  RotatingDevice d;
  ASSERT_TRUE(d.Boot().ok());
  EXPECT_EQ(d.TrustedKid(), d.a.Public().Thumbprint());
  d.device.WriteManifest(&d.b);
  auto refused = Agent::Open(d.Options());
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsPermissionDenied());
  EXPECT_TRUE(Mentions(refused.status(), d.b.Public().Thumbprint()));
  EXPECT_TRUE(Mentions(refused.status(), d.a.Public().Thumbprint()));
}

// What a forged statement may look like; each must be refused and change nothing.
std::vector<std::pair<std::string, std::string>> ForgedStatements(const RotatingDevice& d) {
  const SecretKey mallory = SecretKey::Generate();
  nlohmann::json payload = {{"old_kid", d.a.Public().Thumbprint()},
                            {"new_kid", mallory.Public().Thumbprint()},
                            {"new_root_public_key", crypto::ToJwk(mallory.Public())},
                            {"issued_at", "2026-01-10T00:00:00.000Z"}};
  const nlohmann::json typ = {{"typ", kRotationType}};
  // Signed by A, claiming B's kid in the header: the signature is what counts.
  std::string good = *SignRootRotation(d.a, d.b.Public(), "2026-01-10T00:00:00.000Z");
  nlohmann::json short_key = payload;
  short_key["new_root_public_key"]["x"] = crypto::Base64UrlEncode("too short");
  nlohmann::json wrong_kid = payload;
  wrong_kid["new_kid"] = d.b.Public().Thumbprint();
  return {
      // Mallory's own key signs, claiming to be A.
      {"another key's signature",
       crypto::SignCompact(payload.dump(), mallory,
                           {{"typ", kRotationType}, {"kid", d.a.Public().Thumbprint()}})},
      // A's genuine statement with its payload swapped for Mallory's key.
      {"a tampered payload", good.substr(0, good.find('.') + 1) +
                                 crypto::Base64UrlEncode(payload.dump()) +
                                 good.substr(good.rfind('.'))},
      // A's signature over the right payload, but as another kind of document.
      {"a manifest's typ",
       crypto::SignCompact(payload.dump(), d.a, {{"typ", "homeport-manifest+jws"}})},
      {"no typ", crypto::SignCompact(payload.dump(), d.a)},
      {"a malformed new key", crypto::SignCompact(short_key.dump(), d.a, typ)},
      {"a new_kid of another key", crypto::SignCompact(wrong_kid.dump(), d.a, typ)},
      {"not a JWS", "rotation"},
  };
}

TEST(RootRotation, ForgedStatementsAreRefusedAndChangeNothing) {
  RotatingDevice d;
  for (const auto& [what, jws] : ForgedStatements(d)) {
    SCOPED_TRACE(what);
    const std::string path = d.Write("forged.jws", jws + "\n");
    auto agent = Agent::Open(d.Options({path}));
    ASSERT_FALSE(agent.ok());
    EXPECT_TRUE(agent.status().IsPermissionDenied()) << agent.status().ToString();
    EXPECT_TRUE(Mentions(agent.status(), "forged.jws")) << agent.status().ToString();
    EXPECT_TRUE(Mentions(agent.status(), "trust unchanged")) << agent.status().ToString();
    EXPECT_FALSE(d.env.FileExists(d.device.state_dir));
    EXPECT_TRUE(d.transport.requests.empty());
  }
  // A is still the key: its manifest is used, and nothing was recorded of the forgeries.
  ASSERT_TRUE(d.Boot().ok());
  EXPECT_EQ(d.TrustedKid(), d.a.Public().Thumbprint());
  EXPECT_EQ(nlohmann::json::parse(d.TrustFile())["rotations"].size(), 0u);
}

TEST(RootRotation, StatementOfTheOldKeyIsRefusedOnceTheDeviceHasMovedOn) {
  RotatingDevice d;
  d.device.WriteManifest(&d.b);
  const std::string ab = d.Rotation("ab.jws", d.a, d.b);
  ASSERT_TRUE(d.Boot({ab}).ok());
  const std::string recorded = d.TrustFile();
  const size_t sent = d.transport.requests.size();

  // A, perhaps stolen, tries to move the device to a key of the thief's.
  SecretKey thief = SecretKey::Generate();
  d.device.manifest.version = 9;
  d.device.WriteManifest(&thief);
  auto agent = Agent::Open(d.Options({ab, d.Rotation("a-thief.jws", d.a, thief)}));
  ASSERT_FALSE(agent.ok());
  EXPECT_TRUE(agent.status().IsPermissionDenied()) << agent.status().ToString();
  EXPECT_TRUE(Mentions(agent.status(), "a-thief.jws"));
  EXPECT_TRUE(Mentions(agent.status(), d.a.Public().Thumbprint()));
  EXPECT_TRUE(Mentions(agent.status(), "rotated away")) << agent.status().ToString();
  EXPECT_TRUE(Mentions(agent.status(),
                       "only the root key this device trusts, " + d.b.Public().Thumbprint()));
  EXPECT_EQ(d.TrustFile(), recorded);
  EXPECT_EQ(d.transport.requests.size(), sent);
}

TEST(RootRotation, ChainIsAppliedInOrderFromFilesOrOneFile) {
  for (bool one_file : {false, true}) {
    SCOPED_TRACE(one_file ? "one file" : "two files");
    RotatingDevice d;
    const std::string ab = d.Rotation("ab.jws", d.a, d.b);
    const std::string bc = d.Rotation("bc.jws", d.b, d.c);
    std::vector<std::string> chain = {ab, bc};
    if (one_file) {
      chain = {d.Write("chain.jws", *d.env.ReadFile(ab) + "\n" + *d.env.ReadFile(bc))};
    }
    d.device.WriteManifest(&d.c);
    ASSERT_TRUE(d.Boot(chain).ok());
    EXPECT_EQ(d.TrustedKid(), d.c.Public().Thumbprint());
    auto trust = ReadDeviceTrust(d.Options());
    ASSERT_TRUE(trust.ok());
    ASSERT_EQ(trust->rotations.size(), 2u);
    EXPECT_EQ(trust->rotations[1].old_kid, d.b.Public().Thumbprint());

    // B, now retired too, is refused like A.
    d.device.WriteManifest(&d.b);
    auto agent = Agent::Open(d.Options(chain));
    ASSERT_FALSE(agent.ok());
    EXPECT_TRUE(Mentions(agent.status(), "rotated away")) << agent.status().ToString();
    EXPECT_EQ(d.transport.requests.size(), 1u);
  }
}

TEST(RootRotation, ChainOneStepAtATimeAcrossUpdates) {
  RotatingDevice d;
  const std::string ab = d.Rotation("ab.jws", d.a, d.b);
  d.device.WriteManifest(&d.b);
  ASSERT_TRUE(d.Boot({ab}).ok());
  d.device.manifest.version = 4;
  d.device.WriteManifest(&d.c);
  ASSERT_TRUE(d.Boot({ab, d.Rotation("bc.jws", d.b, d.c)}).ok());
  EXPECT_EQ(d.TrustedKid(), d.c.Public().Thumbprint());
}

TEST(RootRotation, ChainOutOfOrderOrWithAForgedLinkChangesNothing) {
  RotatingDevice d;
  const std::string ab = d.Rotation("ab.jws", d.a, d.b);
  const std::string bc = d.Rotation("bc.jws", d.b, d.c);
  const std::string forged_bc =
      d.Write("forged-bc.jws", crypto::SignCompact("{}", d.c, {{"typ", kRotationType}}) + "\n");
  d.device.WriteManifest(&d.c);
  for (const auto& chain :
       {std::vector<std::string>{bc, ab}, std::vector<std::string>{ab, forged_bc}}) {
    auto agent = Agent::Open(d.Options(chain));
    ASSERT_FALSE(agent.ok());
    EXPECT_TRUE(agent.status().IsPermissionDenied()) << agent.status().ToString();
    // Not even the valid first link of the second chain is kept.
    EXPECT_FALSE(d.env.FileExists(d.device.TrustPath()));
  }
  EXPECT_TRUE(d.transport.requests.empty());
}

TEST(RootRotation, NoStatementHandsTrustBackToARetiredKey) {
  RotatingDevice d;
  const std::string ab = d.Rotation("ab.jws", d.a, d.b);
  d.device.WriteManifest(&d.b);
  ASSERT_TRUE(d.Boot({ab}).ok());
  const std::string recorded = d.TrustFile();
  d.device.WriteManifest(&d.a);
  auto agent = Agent::Open(d.Options({ab, d.Rotation("ba.jws", d.b, d.a)}));
  ASSERT_FALSE(agent.ok());
  EXPECT_TRUE(agent.status().IsPermissionDenied());
  EXPECT_TRUE(Mentions(agent.status(), "never trusted again")) << agent.status().ToString();
  EXPECT_EQ(d.TrustFile(), recorded);
}

TEST(RootRotation, RefusedManifestKeepsAValidRotationUnapplied) {
  RotatingDevice d;
  d.device.manifest.region = "cn";
  d.device.WriteManifest(&d.b);
  auto agent = Agent::Open(d.Options({d.Rotation("ab.jws", d.a, d.b)}));
  ASSERT_FALSE(agent.ok());
  EXPECT_TRUE(Mentions(agent.status(), "\"cn\""));
  EXPECT_FALSE(d.env.FileExists(d.device.TrustPath()));
  EXPECT_EQ(d.TrustedKid(), d.a.Public().Thumbprint());
}

TEST(RootRotation, DamagedTrustRecordRefusesRatherThanFallingBackToTheProfileKey) {
  RotatingDevice d;
  d.device.WriteManifest(&d.b);
  ASSERT_TRUE(d.Boot({d.Rotation("ab.jws", d.a, d.b)}).ok());
  ASSERT_TRUE(d.env.WriteFileAtomic(d.device.TrustPath(), "{\"rotations\": [", 0600).ok());
  d.device.WriteManifest(&d.a);
  auto agent = Agent::Open(d.Options());
  ASSERT_FALSE(agent.ok());
  EXPECT_TRUE(agent.status().IsCorruption()) << agent.status().ToString();
  EXPECT_TRUE(Mentions(agent.status(), "trust.json"));
  EXPECT_TRUE(ReadDeviceTrust(d.Options()).status().IsCorruption());
  EXPECT_EQ(d.transport.requests.size(), 1u);
}

TEST(RootRotation, UnwritableTrustRecordSendsNothing) {
  RotatingDevice d;
  d.device.WriteManifest(&d.b);
  d.env.fail_writes = true;
  auto agent = Agent::Open(d.Options({d.Rotation("ab.jws", d.a, d.b)}));
  ASSERT_FALSE(agent.ok());
  EXPECT_TRUE(agent.status().IsIoError()) << agent.status().ToString();
  EXPECT_TRUE(d.transport.requests.empty());
  d.env.fail_writes = false;
  EXPECT_EQ(d.TrustedKid(), d.a.Public().Thumbprint());
}

TEST(RootRotation, MissingOrEmptyStatementFileIsAnError) {
  RotatingDevice d;
  auto missing = Agent::Open(d.Options({d.device.dir + "/none.jws"}));
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(Mentions(missing.status(), "none.jws")) << missing.status().ToString();
  auto empty = Agent::Open(d.Options({d.Write("empty.jws", "\n")}));
  ASSERT_FALSE(empty.ok());
  EXPECT_TRUE(empty.status().IsInvalidArgument()) << empty.status().ToString();
  EXPECT_TRUE(d.transport.requests.empty());
}

}  // namespace
}  // namespace homeport
