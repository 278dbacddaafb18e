// Agent behaviour a device owner would notice: D1 refusals send nothing, activation happens
// once with exactly the eight signed fields, check-ins follow version changes only (D2), and
// state survives failed writes.
#include "homeport/agent.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "agent/activation_protocol.h"
#include "agent_test_support.h"
#include "crypto/jws.h"

namespace homeport {
namespace {

using agent_testing::ActivationReply;
using agent_testing::ErrorReply;
using agent_testing::FakeEnv;
using agent_testing::FakeTransport;
using agent_testing::TestDevice;

std::string HeaderOf(const TransportRequest& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

std::unique_ptr<Agent> OpenOrDie(const AgentOptions& options) {
  auto agent = Agent::Open(options);
  EXPECT_TRUE(agent.ok()) << agent.status().ToString();
  return agent.ok() ? std::move(agent).value() : nullptr;
}

// One boot of the device: open the agent and activate.
Result<ActivationState> Boot(const AgentOptions& options) {
  HOMEPORT_ASSIGN_OR_RETURN(std::unique_ptr<Agent> agent, Agent::Open(options));
  return agent->Activate();
}

TEST(Agent, RefusesManifestOfOtherRegion) {
  TestDevice device;
  device.manifest.region = "cn";
  device.manifest.activation_url = "http://zzhc.vnet.example";
  device.WriteManifest();
  FakeEnv env;
  FakeTransport transport;
  transport.fallback = ActivationReply(201, device.profile.serial, "activated");

  auto agent = Agent::Open(device.Options(&env, &transport));
  ASSERT_FALSE(agent.ok());
  EXPECT_TRUE(agent.status().IsPermissionDenied()) << agent.status().ToString();
  EXPECT_NE(agent.status().message().find("\"cn\""), std::string::npos);
  EXPECT_NE(agent.status().message().find("\"sg\""), std::string::npos);
  EXPECT_TRUE(transport.requests.empty());
  EXPECT_FALSE(env.FileExists(device.state_dir));
}

TEST(Agent, RefusesManifestSignedByAnotherRoot) {
  TestDevice device;
  device.manifest.region = "cn";
  crypto::SecretKey other_root = crypto::SecretKey::Generate();
  device.WriteManifest(&other_root);
  FakeEnv env;
  FakeTransport transport;
  transport.fallback = ActivationReply(201, device.profile.serial, "activated");

  auto agent = Agent::Open(device.Options(&env, &transport));
  ASSERT_FALSE(agent.ok());
  EXPECT_TRUE(agent.status().IsPermissionDenied()) << agent.status().ToString();
  EXPECT_NE(agent.status().message().find("\"cn\""), std::string::npos);
  EXPECT_NE(agent.status().message().find("\"sg\""), std::string::npos);
  EXPECT_NE(agent.status().message().find("root key"), std::string::npos);
  EXPECT_TRUE(transport.requests.empty());
}

TEST(Agent, RefusesManifestOfOwnRegionSignedByAnotherRoot) {
  TestDevice device;
  crypto::SecretKey other_root = crypto::SecretKey::Generate();
  device.WriteManifest(&other_root);
  FakeEnv env;
  FakeTransport transport;

  auto agent = Agent::Open(device.Options(&env, &transport));
  ASSERT_FALSE(agent.ok());
  EXPECT_TRUE(agent.status().IsPermissionDenied());
  EXPECT_TRUE(transport.requests.empty());
}

TEST(Agent, RefusesManifestWithoutTheDeviceVariant) {
  TestDevice device;
  device.manifest.variants = {"china"};
  device.WriteManifest();
  FakeEnv env;
  FakeTransport transport;

  auto agent = Agent::Open(device.Options(&env, &transport));
  ASSERT_FALSE(agent.ok());
  EXPECT_TRUE(agent.status().IsPermissionDenied());
  EXPECT_NE(agent.status().message().find("global"), std::string::npos);
  EXPECT_TRUE(transport.requests.empty());
}

TEST(Agent, RejectsBadOptions) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  AgentOptions o = device.Options(&env, &transport);
  o.max_backoff = std::chrono::milliseconds(100);  // below the initial 500 ms
  auto agent = Agent::Open(o);
  ASSERT_FALSE(agent.ok());
  EXPECT_TRUE(agent.status().IsInvalidArgument());
  o = device.Options(&env, &transport);
  o.state_dir.clear();
  EXPECT_TRUE(Agent::Open(o).status().IsInvalidArgument());
}

TEST(Agent, FirstActivationSendsEightSignedFieldsAndStoresState) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  transport.replies.push_back(ActivationReply(201, device.profile.serial, "activated"));
  auto agent = OpenOrDie(device.Options(&env, &transport));
  ASSERT_NE(agent, nullptr);

  auto state = agent->Activate();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->outcome, ActivationOutcome::kActivated);
  EXPECT_TRUE(state->from_network());
  EXPECT_EQ(state->serial, "HP7P-000123");
  EXPECT_EQ(state->warranty_start, "2026-01-15");
  EXPECT_EQ(state->client_version, "1.0.0");
  EXPECT_EQ(state->manifest_version, 3);
  EXPECT_EQ(state->activated_at, "2026-01-15T09:00:00.000Z");

  ASSERT_EQ(transport.requests.size(), 1u);
  const TransportRequest& request = transport.requests[0];
  EXPECT_EQ(request.url, "https://activation.sg.example/v1/activations");
  std::set<std::string> header_names;
  for (const auto& [name, value] : request.headers) header_names.insert(name);
  EXPECT_EQ(header_names,
            (std::set<std::string>{"Content-Type", "User-Agent", "X-Homeport-Signature"}));
  EXPECT_EQ(HeaderOf(request, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderOf(request, "User-Agent"), "homeport-agent/1.0.0");
  Status signature = crypto::VerifyDetached(HeaderOf(request, "X-Homeport-Signature"), request.body,
                                            device.device_key.Public());
  EXPECT_TRUE(signature.ok()) << signature.ToString();

  auto body = nlohmann::json::parse(request.body);
  std::set<std::string> fields;
  for (const auto& [key, value] : body.items()) fields.insert(key);
  EXPECT_EQ(fields, (std::set<std::string>{"serial", "model", "sku", "variant", "region",
                                           "client_version", "manifest_version", "sequence"}));
  EXPECT_EQ(body["serial"], "HP7P-000123");
  EXPECT_EQ(body["model"], "HP7P");
  EXPECT_EQ(body["sku"], "TA-1046");
  EXPECT_EQ(body["variant"], "global");
  EXPECT_EQ(body["region"], "sg");
  EXPECT_EQ(body["client_version"], "1.0.0");
  ASSERT_TRUE(body["manifest_version"].is_number_integer());
  EXPECT_EQ(body["manifest_version"].get<int64_t>(), 3);

  auto stored = env.ReadFile(device.StatePath());
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  auto parsed = agent::ParseActivationState(*stored);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->serial, "HP7P-000123");
  EXPECT_EQ(parsed->warranty_start, "2026-01-15");
  EXPECT_EQ(parsed->client_version, "1.0.0");
  EXPECT_EQ(parsed->manifest_version, 3);
}

TEST(Agent, ActivatesOnceThenAnswersFromState) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  transport.replies.push_back(ActivationReply(201, device.profile.serial, "activated"));
  auto agent = OpenOrDie(device.Options(&env, &transport));
  ASSERT_NE(agent, nullptr);
  ASSERT_TRUE(agent->Activate().ok());

  auto again = agent->Activate();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->outcome, ActivationOutcome::kCached);
  EXPECT_FALSE(again->from_network());
  EXPECT_EQ(again->warranty_start, "2026-01-15");

  // A reboot is a new Agent over the same state: still nothing sent.
  auto rebooted = OpenOrDie(device.Options(&env, &transport));
  ASSERT_NE(rebooted, nullptr);
  auto after_boot = rebooted->Activate();
  ASSERT_TRUE(after_boot.ok());
  EXPECT_EQ(after_boot->outcome, ActivationOutcome::kCached);
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST(Agent, ChangedClientVersionChecksInExactlyOnce) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  transport.replies.push_back(ActivationReply(201, device.profile.serial, "activated"));
  auto first = Boot(device.Options(&env, &transport));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const std::string first_activation = first->activated_at;

  env.now += std::chrono::hours(24 * 30);  // a month later, an update arrives
  device.profile.client_version = "1.0.1";
  device.WriteProfile();
  transport.replies.push_back(ActivationReply(200, device.profile.serial, "checked_in"));
  auto updated = OpenOrDie(device.Options(&env, &transport));
  ASSERT_NE(updated, nullptr);
  auto state = updated->Activate();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->outcome, ActivationOutcome::kCheckedIn);
  EXPECT_EQ(state->client_version, "1.0.1");
  EXPECT_EQ(state->warranty_start, "2026-01-15");
  EXPECT_EQ(state->activated_at, first_activation);
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(transport.requests[1].body)["client_version"], "1.0.1");

  auto later = updated->Activate();
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->outcome, ActivationOutcome::kCached);
  EXPECT_EQ(transport.requests.size(), 2u);
}

TEST(Agent, NewerManifestChecksInOnce) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  transport.replies.push_back(ActivationReply(201, device.profile.serial, "activated"));
  ASSERT_TRUE(Boot(device.Options(&env, &transport)).ok());

  device.manifest.version = 4;
  device.WriteManifest();
  transport.replies.push_back(ActivationReply(200, device.profile.serial, "checked_in"));
  auto agent = OpenOrDie(device.Options(&env, &transport));
  ASSERT_NE(agent, nullptr);
  auto state = agent->Activate();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->manifest_version, 4);
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(transport.requests[1].body)["manifest_version"], 4);
  EXPECT_EQ(agent->Activate()->outcome, ActivationOutcome::kCached);
  EXPECT_EQ(transport.requests.size(), 2u);
}

int64_t SequenceOf(const TransportRequest& r) {
  return nlohmann::json::parse(r.body)["sequence"].get<int64_t>();
}

TEST(Agent, EveryContactCarriesAHigherSignedSequence) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  // The first answer is lost to a 503: the retry is the same request, the same sequence.
  transport.replies.push_back(ErrorReply(503, "unavailable", "busy", {{"retry-after", "1"}}));
  transport.replies.push_back(ActivationReply(201, device.profile.serial, "activated"));
  ASSERT_TRUE(Boot(device.Options(&env, &transport)).ok());
  device.manifest.version = 4;
  device.WriteManifest();
  transport.replies.push_back(ActivationReply(200, device.profile.serial, "checked_in"));
  ASSERT_TRUE(Boot(device.Options(&env, &transport)).ok());

  ASSERT_EQ(transport.requests.size(), 3u);
  EXPECT_EQ(SequenceOf(transport.requests[0]), 1);
  EXPECT_EQ(transport.requests[1].body, transport.requests[0].body);
  EXPECT_EQ(SequenceOf(transport.requests[2]), 2);
  auto stored = env.ReadFile(device.state_dir + "/activation_sequence");
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(*stored, "2\n");
}

TEST(Agent, AfterAWipedStateContinuesAboveTheRecordedSequenceOnce) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  nlohmann::json stale = {{"error", "stale_activation"},
                          {"message", "older than the recorded one"},
                          {"recorded_sequence", 41},
                          {"recorded_manifest_version", 2}};
  transport.replies.push_back(agent_testing::Reply(409, stale.dump()));
  transport.replies.push_back(ActivationReply(200, device.profile.serial, "checked_in"));
  auto state = Boot(device.Options(&env, &transport));
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->outcome, ActivationOutcome::kCheckedIn);
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(SequenceOf(transport.requests[0]), 1);
  EXPECT_EQ(SequenceOf(transport.requests[1]), 42);
}

TEST(Agent, StaleAnswerForANewerRecordedManifestIsAnErrorNotARetry) {
  TestDevice device;  // manifest version 3
  FakeEnv env;
  FakeTransport transport;
  nlohmann::json stale = {{"error", "stale_activation"},
                          {"message", "older than the recorded one"},
                          {"recorded_sequence", 9},
                          {"recorded_manifest_version", 5}};
  transport.replies.push_back(agent_testing::Reply(409, stale.dump()));
  auto state = Boot(device.Options(&env, &transport));
  ASSERT_FALSE(state.ok());
  EXPECT_NE(state.status().message().find("stale_activation"), std::string::npos)
      << state.status().ToString();
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST(Agent, ClientErrorsFailAtOnceWithServerCode) {
  const struct {
    int status;
    const char* code;
    bool permission_denied;
  } cases[] = {
      {400, "schema_violation", false}, {403, "unknown_device", true}, {421, "wrong_region", true}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.status);
    TestDevice device;
    FakeEnv env;
    FakeTransport transport;
    transport.fallback = ErrorReply(c.status, c.code, "refused by the test server");
    auto agent = OpenOrDie(device.Options(&env, &transport));
    ASSERT_NE(agent, nullptr);

    auto state = agent->Activate();
    ASSERT_FALSE(state.ok());
    EXPECT_EQ(state.status().IsPermissionDenied(), c.permission_denied);
    EXPECT_NE(state.status().message().find(std::string(c.code) + ": refused by the test server"),
              std::string::npos)
        << state.status().ToString();
    EXPECT_EQ(transport.requests.size(), 1u);
    EXPECT_TRUE(env.sleeps.empty());
    EXPECT_FALSE(env.FileExists(device.StatePath()));
  }
}

TEST(Agent, FailedStateWriteKeepsPreviousState) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  transport.replies.push_back(ActivationReply(201, device.profile.serial, "activated"));
  ASSERT_TRUE(Boot(device.Options(&env, &transport)).ok());
  auto before = env.ReadFile(device.StatePath());
  ASSERT_TRUE(before.ok());

  device.profile.client_version = "1.0.1";
  device.WriteProfile();
  env.fail_writes = true;
  transport.fallback = ActivationReply(200, device.profile.serial, "checked_in");
  auto agent = OpenOrDie(device.Options(&env, &transport));
  ASSERT_NE(agent, nullptr);
  auto failed = agent->Activate();
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(failed.status().IsIoError()) << failed.status().ToString();
  auto after = env.ReadFile(device.StatePath());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *before);

  // Unconfirmed on disk, so the next call asks again, and this time it sticks.
  env.fail_writes = false;
  auto retried = agent->Activate();
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(retried->client_version, "1.0.1");
  // The failed call sent nothing: its sequence could not be stored, so no request was signed.
  EXPECT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(agent->Activate()->outcome, ActivationOutcome::kCached);
}

TEST(Agent, CorruptStateIsRepairedWithOneRequest) {
  TestDevice device;
  FakeEnv env;
  ASSERT_TRUE(env.CreateDirs(device.state_dir).ok());
  ASSERT_TRUE(env.WriteFileAtomic(device.StatePath(), "{\"serial\": tru", 0600).ok());
  FakeTransport transport;
  transport.replies.push_back(
      ActivationReply(200, device.profile.serial, "already_activated", "2025-12-24"));
  auto agent = OpenOrDie(device.Options(&env, &transport));
  ASSERT_NE(agent, nullptr);

  auto state = agent->Activate();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->outcome, ActivationOutcome::kAlreadyActivated);
  EXPECT_EQ(state->warranty_start, "2025-12-24");
  EXPECT_EQ(agent->Activate()->outcome, ActivationOutcome::kCached);
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST(Agent, RejectsAnswerAboutAnotherDevice) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  transport.fallback = ActivationReply(201, "SOMEONE-ELSE", "activated");
  auto agent = OpenOrDie(device.Options(&env, &transport));
  ASSERT_NE(agent, nullptr);

  auto state = agent->Activate();
  ASSERT_FALSE(state.ok());
  EXPECT_TRUE(state.status().IsCorruption()) << state.status().ToString();
  EXPECT_FALSE(env.FileExists(device.StatePath()));
}

TEST(ActivationProtocol, DropsOneTrailingSlashOfTheBaseUrl) {
  EXPECT_EQ(agent::ActivationsUrl("https://a.example/"), "https://a.example/v1/activations");
  EXPECT_EQ(agent::ActivationsUrl("https://a.example"), "https://a.example/v1/activations");
  EXPECT_EQ(agent::ActivationsUrl("https://a.example/sg/"), "https://a.example/sg/v1/activations");
}

TEST(ActivationProtocol, RejectsMalformedAnswers) {
  TransportResponse bad_date = ActivationReply(201, "S1", "activated", "2026-02-30");
  EXPECT_TRUE(agent::ParseActivationReply(bad_date, "S1").status().IsCorruption());
  TransportResponse bad_status = ActivationReply(201, "S1", "cached");
  EXPECT_TRUE(agent::ParseActivationReply(bad_status, "S1").status().IsCorruption());
  TransportResponse not_json = agent_testing::Reply(200, "<html>portal</html>");
  EXPECT_TRUE(agent::ParseActivationReply(not_json, "S1").status().IsCorruption());
}

}  // namespace
}  // namespace homeport
