// The UX program as a user sees it: nothing before opt-in (D3), Glean documents on the wire
// with a random client id and nothing identifying the device (D4, S4), opt-out sending a
// deletion-request and forgetting the id, D1 refusals, and state that survives failed writes.
#include "homeport/uxp.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "agent/glean_document.h"
#include "uxp_test_support.h"

namespace homeport {
namespace {

using agent_testing::Accepted;
using agent_testing::FakeEnv;
using agent_testing::FakeTransport;
using agent_testing::Header;
using agent_testing::Offline;
using agent_testing::OpenUxpOrDie;
using agent_testing::Sent;
using agent_testing::SentPing;
using agent_testing::TestDevice;
using nlohmann::json;

std::set<std::string> Keys(const json& j) {
  std::set<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.insert(k);
  return keys;
}

// What no ping may carry: the serial, the device key (public or secret half), the SKU and batch.
void ExpectNothingIdentifying(const TestDevice& device, const TransportRequest& r,
                              const SentPing& p) {
  json key = json::parse(device.profile.device_key_jwk);
  for (const std::string& secret :
       {device.profile.serial, key["x"].get<std::string>(), key["d"].get<std::string>(),
        device.profile.sku, device.profile.batch}) {
    EXPECT_EQ(p.text.find(secret), std::string::npos) << secret << " in " << p.text;
    EXPECT_EQ(r.url.find(secret), std::string::npos) << secret << " in " << r.url;
    for (const auto& [name, value] : r.headers) EXPECT_EQ(value.find(secret), std::string::npos);
  }
}

TEST(UxProgram, NothingIsRecordedOrSentBeforeOptIn) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  transport.fallback = Accepted();
  auto uxp = OpenUxpOrDie(device.Options(&env, &transport));
  ASSERT_NE(uxp, nullptr);

  Status recorded = uxp->Record("diagnostics.crash_count", "1");
  EXPECT_TRUE(recorded.IsPermissionDenied()) << recorded.ToString();
  EXPECT_NE(recorded.message().find("opted in"), std::string::npos);
  EXPECT_TRUE(uxp->Feedback("the battery drains fast", 2).IsPermissionDenied());
  auto upload = uxp->Upload();
  ASSERT_TRUE(upload.ok()) << upload.status().ToString();
  EXPECT_EQ(upload->sent + upload->dropped + upload->pending, 0);
  EXPECT_TRUE(upload->last_error.ok());

  EXPECT_TRUE(transport.requests.empty());
  EXPECT_FALSE(env.FileExists(device.state_dir + "/uxp/metrics.json"));
  EXPECT_FALSE(env.FileExists(device.state_dir + "/uxp/consent.json"));
  auto status = uxp->GetStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(status->enabled);
  EXPECT_FALSE(status->client_id.has_value());
  EXPECT_EQ(status->pending_pings, 0);
}

TEST(UxProgram, UploadsGleanDocumentsAfterOptIn) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  transport.fallback = Accepted();
  auto uxp = OpenUxpOrDie(device.Options(&env, &transport));
  ASSERT_NE(uxp, nullptr);
  ASSERT_TRUE(uxp->OptIn().ok());
  const std::string client_id = uxp->GetStatus()->client_id.value_or("");
  EXPECT_TRUE(agent::IsUuidV4(client_id)) << client_id;

  for (auto [name, value] :
       {std::pair{"diagnostics.crash_count", "2"},
        {"diagnostics.crash_count", "1"},
        {"diagnostics.anr_count", "1"},
        {"diagnostics.battery_cycle_count", "412"},
        {"diagnostics.boot_time", "23456"},
        {"diagnostics.free_storage", "10240"},
        {"diagnostics.thermal_throttling/severe", "2"},
        {"diagnostics.thermal_shutdown", "battery_temperature=47,while_charging=false"}}) {
    Status st = uxp->Record(name, value);
    ASSERT_TRUE(st.ok()) << name << ": " << st.ToString();
  }
  env.now += std::chrono::minutes(5);
  ASSERT_TRUE(uxp->Feedback("Camera app freezes when I switch lenses", 4).ok());
  EXPECT_EQ(uxp->GetStatus()->pending_pings, 1);
  EXPECT_TRUE(transport.requests.empty());  // feedback waits for an upload

  env.now += std::chrono::minutes(5);
  auto upload = uxp->Upload();
  ASSERT_TRUE(upload.ok()) << upload.status().ToString();
  EXPECT_EQ(upload->sent, 2);
  EXPECT_EQ(upload->dropped, 0);
  EXPECT_EQ(upload->pending, 0);
  ASSERT_EQ(transport.requests.size(), 2u);

  const std::regex minute(R"(\d{4}-\d\d-\d\dT\d\d:\d\d\+00:00)");
  std::set<std::string> doc_ids;
  for (const TransportRequest& r : transport.requests) {
    SentPing p = Sent(r);
    SCOPED_TRACE(r.url);
    ASSERT_TRUE(p.body.is_object()) << p.text;
    EXPECT_TRUE(agent::IsUuidV4(p.doc_id));
    doc_ids.insert(p.doc_id);
    std::set<std::string> headers;
    for (const auto& [n, v] : r.headers) headers.insert(n);
    EXPECT_EQ(headers, (std::set<std::string>{"Content-Type", "Content-Encoding", "Date",
                                              "X-Telemetry-Agent"}));
    EXPECT_EQ(Header(r, "Content-Type"), "application/json; charset=utf-8");
    EXPECT_EQ(Header(r, "Content-Encoding"), "gzip");
    EXPECT_EQ(Header(r, "Date"), "Thu, 15 Jan 2026 09:10:00 GMT");

    const json& info = p.body["ping_info"];
    EXPECT_EQ(info["seq"], 0);
    EXPECT_TRUE(std::regex_match(info["start_time"].get<std::string>(), minute));
    EXPECT_EQ(info["start_time"], "2026-01-15T09:00+00:00");
    const json& client = p.body["client_info"];
    EXPECT_EQ(Keys(client),
              (std::set<std::string>{"client_id", "first_run_date", "telemetry_sdk_build", "os",
                                     "os_version", "architecture", "app_build",
                                     "app_display_version", "device_model"}));
    EXPECT_EQ(client["client_id"], client_id);
    EXPECT_EQ(client["first_run_date"], "2026-01-15+00:00");
    EXPECT_EQ(client["app_display_version"], device.profile.client_version);
    EXPECT_EQ(client["device_model"], device.profile.model);
    ExpectNothingIdentifying(device, r, p);
  }
  EXPECT_EQ(doc_ids.size(), 2u);

  // Queued first, sent first.
  SentPing feedback = Sent(transport.requests[0]);
  EXPECT_EQ(feedback.doc_type, "feedback");
  EXPECT_EQ(Keys(feedback.body), (std::set<std::string>{"ping_info", "client_info", "metrics"}));
  EXPECT_EQ(feedback.body["ping_info"]["reason"], "user_submitted");
  EXPECT_EQ(feedback.body["ping_info"]["end_time"], "2026-01-15T09:05+00:00");
  EXPECT_EQ(feedback.body["metrics"],
            json::parse(R"({"text": {"feedback.text": "Camera app freezes when I switch lenses"},
                            "quantity": {"feedback.rating": 4}})"));

  SentPing diagnostics = Sent(transport.requests[1]);
  EXPECT_EQ(diagnostics.doc_type, "diagnostics");
  EXPECT_EQ(diagnostics.body["ping_info"]["reason"], "scheduled");
  EXPECT_EQ(diagnostics.body["ping_info"]["end_time"], "2026-01-15T09:10+00:00");
  EXPECT_EQ(diagnostics.body["metrics"], json::parse(R"({
      "counter": {"diagnostics.crash_count": 3, "diagnostics.anr_count": 1},
      "quantity": {"diagnostics.battery_cycle_count": 412, "diagnostics.free_storage": 10240},
      "timespan": {"diagnostics.boot_time": {"time_unit": "millisecond", "value": 23456}},
      "labeled_counter": {"diagnostics.thermal_throttling": {"severe": 2}}})"));
  EXPECT_EQ(diagnostics.body["events"], json::parse(R"([{"timestamp": 0,
      "category": "diagnostics", "name": "thermal_shutdown",
      "extra": {"battery_temperature": "47", "while_charging": "false"}}])"));

  // Sent means gone: a second upload has nothing to send.
  auto again = uxp->Upload();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->sent, 0);
  EXPECT_EQ(transport.requests.size(), 2u);
}

TEST(UxProgram, EachDiagnosticsPingCarriesOnlyWhatWasRecordedSinceTheLast) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  transport.fallback = Accepted();
  auto uxp = OpenUxpOrDie(device.Options(&env, &transport));
  ASSERT_NE(uxp, nullptr);
  ASSERT_TRUE(uxp->OptIn().ok());
  ASSERT_TRUE(uxp->Record("diagnostics.crash_count", "5").ok());
  env.now += std::chrono::hours(24);
  ASSERT_TRUE(uxp->Upload(DiagnosticsReason::kOnDemand).ok());
  ASSERT_TRUE(uxp->Record("diagnostics.app_starts", "1").ok());
  env.now += std::chrono::hours(24);
  ASSERT_TRUE(uxp->Upload().ok());

  ASSERT_EQ(transport.requests.size(), 2u);
  json first = Sent(transport.requests[0]).body;
  json second = Sent(transport.requests[1]).body;
  EXPECT_EQ(first["ping_info"]["reason"], "on_demand");
  EXPECT_EQ(second["ping_info"]["seq"], 1);
  EXPECT_EQ(second["ping_info"]["start_time"], first["ping_info"]["end_time"]);
  EXPECT_EQ(second["metrics"], json::parse(R"({"counter": {"diagnostics.app_starts": 1}})"));
  EXPECT_EQ(second["client_info"]["client_id"], first["client_info"]["client_id"]);
}

TEST(UxProgram, RecordAcceptsOnlyDeclaredMetricsAndValues) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  auto uxp = OpenUxpOrDie(device.Options(&env, &transport));
  ASSERT_NE(uxp, nullptr);
  ASSERT_TRUE(uxp->OptIn().ok());
  const std::pair<const char*, const char*> refused[] = {
      {"diagnostics.imei", "356938035643809"},
      {"diagnostics.location", "1.29,103.85"},
      {"feedback.text", "sent with feedback instead"},
      {"diagnostics.crash_count", "-1"},
      {"diagnostics.crash_count", "0"},
      {"diagnostics.crash_count", "many"},
      {"diagnostics.boot_time", "1.5s"},
      {"diagnostics.thermal_throttling", "1"},
      {"diagnostics.thermal_throttling/warm", "1"},
      {"diagnostics.crash_count/severe", "1"},
      {"diagnostics.thermal_shutdown", "cell_id=1234"},
      {"diagnostics.thermal_shutdown", "while_charging=maybe"},
  };
  for (const auto& [name, value] : refused) {
    Status st = uxp->Record(name, value);
    EXPECT_TRUE(st.IsInvalidArgument()) << name << " " << value << ": " << st.ToString();
    std::string metric = std::string(name).substr(0, std::string(name).find('/'));
    EXPECT_NE(st.message().find(metric), std::string::npos) << st.ToString();
  }
  EXPECT_FALSE(env.FileExists(device.state_dir + "/uxp/metrics.json"));
  Status rating = uxp->Feedback("fine", 6);
  EXPECT_TRUE(rating.IsInvalidArgument()) << rating.ToString();
  EXPECT_TRUE(uxp->Feedback("", std::nullopt).IsInvalidArgument());
  EXPECT_TRUE(uxp->Feedback("\xff\xfe broken", std::nullopt).IsInvalidArgument());
  EXPECT_EQ(uxp->GetStatus()->pending_pings, 0);
}

TEST(UxProgram, OptOutQueuesDeletionRequestAndForgetsTheClient) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  auto uxp = OpenUxpOrDie(device.Options(&env, &transport));
  ASSERT_NE(uxp, nullptr);
  ASSERT_TRUE(uxp->OptIn().ok());
  const std::string old_id = *uxp->GetStatus()->client_id;
  ASSERT_TRUE(uxp->Record("diagnostics.crash_count", "1").ok());
  ASSERT_TRUE(uxp->Feedback("too hot while charging", std::nullopt).ok());

  // Offline: the deletion-request waits; everything else is gone at once.
  transport.fallback = Offline();
  auto out = uxp->OptOut();
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->sent, 0);
  EXPECT_EQ(out->pending, 1);
  EXPECT_TRUE(out->last_error.IsUnavailable() || out->last_error.IsDeadlineExceeded())
      << out->last_error.ToString();
  auto status = uxp->GetStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(status->enabled);
  EXPECT_FALSE(status->client_id.has_value());
  EXPECT_EQ(status->pending_pings, 0);
  EXPECT_EQ(status->pending_deletion_requests, 1);
  EXPECT_FALSE(env.FileExists(device.state_dir + "/uxp/metrics.json"));
  auto consent = env.ReadFile(device.state_dir + "/uxp/consent.json");
  ASSERT_TRUE(consent.ok());
  EXPECT_EQ(consent->find(old_id), std::string::npos);
  EXPECT_TRUE(uxp->Record("diagnostics.crash_count", "1").IsPermissionDenied());
  for (const TransportRequest& r : transport.requests)
    EXPECT_EQ(Sent(r).doc_type, "deletion-request");

  // Back online, still opted out: the deletion-request goes, and nothing else.
  transport.requests.clear();
  transport.fallback = Accepted();
  auto later = uxp->Upload();
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->sent, 1);
  EXPECT_EQ(later->pending, 0);
  ASSERT_EQ(transport.requests.size(), 1u);
  SentPing deletion = Sent(transport.requests[0]);
  EXPECT_EQ(deletion.doc_type, "deletion-request");
  EXPECT_EQ(deletion.body["client_info"]["client_id"], old_id);
  EXPECT_EQ(deletion.body["ping_info"]["reason"], "set_upload_enabled");
  EXPECT_FALSE(deletion.body.contains("metrics"));
  ExpectNothingIdentifying(device, transport.requests[0], deletion);

  // A new opt-in is a new, unlinkable client.
  env.now += std::chrono::hours(24 * 3);
  ASSERT_TRUE(uxp->OptIn().ok());
  auto rejoined = uxp->GetStatus();
  ASSERT_TRUE(rejoined.ok());
  ASSERT_TRUE(rejoined->client_id.has_value());
  EXPECT_TRUE(agent::IsUuidV4(*rejoined->client_id));
  EXPECT_NE(*rejoined->client_id, old_id);
  ASSERT_TRUE(uxp->Feedback("better now", 5).ok());
  ASSERT_TRUE(uxp->Upload().ok());
  json after = Sent(transport.requests.back()).body;
  EXPECT_EQ(after["client_info"]["client_id"], *rejoined->client_id);
  EXPECT_EQ(after["client_info"]["first_run_date"], "2026-01-18+00:00");
  EXPECT_EQ(after["ping_info"]["seq"], 0);
}

TEST(UxProgram, OptOutOnlineSendsTheDeletionRequestAtOnce) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  transport.fallback = Accepted();
  auto uxp = OpenUxpOrDie(device.Options(&env, &transport));
  ASSERT_NE(uxp, nullptr);
  ASSERT_TRUE(uxp->OptIn().ok());
  const std::string id = *uxp->GetStatus()->client_id;
  ASSERT_TRUE(uxp->Feedback("queued but never sent", std::nullopt).ok());

  auto out = uxp->OptOut();
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->sent, 1);
  EXPECT_EQ(out->pending, 0);
  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_EQ(Sent(transport.requests[0]).doc_type, "deletion-request");
  EXPECT_EQ(Sent(transport.requests[0]).body["client_info"]["client_id"], id);

  // Opting out again has nothing to delete and sends nothing.
  auto again = uxp->OptOut();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST(UxProgram, AnOptOutCommitsToTheClientIdAndKeepsTheLogIndexItIsAnswered) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  auto uxp = OpenUxpOrDie(device.Options(&env, &transport));
  ASSERT_NE(uxp, nullptr);
  ASSERT_TRUE(uxp->OptIn().ok());
  const std::string id = *uxp->GetStatus()->client_id;

  transport.fallback = agent_testing::Reply(200, R"({"status":"erased","documents":0,"log_index":7})");
  ASSERT_TRUE(uxp->OptOut().ok());
  auto receipts = uxp->ErasureReceipts();
  ASSERT_TRUE(receipts.ok()) << receipts.status().ToString();
  ASSERT_EQ(receipts->size(), 1u);
  const ErasureReceipt& r = receipts->front();
  EXPECT_EQ(r.log_index, 7);
  EXPECT_EQ(r.doc_id, Sent(transport.requests[0]).doc_id);
  EXPECT_EQ(Header(transport.requests[0], "X-Homeport-Erasure-Commitment"), r.commitment);
  EXPECT_TRUE(ErasureCommitmentOpensTo(r, id));
  EXPECT_FALSE(ErasureCommitmentOpensTo(r, "0f8fad5b-d9cb-469f-a165-70867728950e"));
  // The id is wiped (D3): the receipt keeps only the nonce and the commitment.
  auto saved = env.ReadFile(device.state_dir + "/uxp/erasure_receipts.json");
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->find(id), std::string::npos) << *saved;

  // Without the region's log key in the profile there is nothing to prove it with.
  auto proof = uxp->ProveErasure(r);
  EXPECT_TRUE(proof.status().IsNotFound()) << proof.status().ToString();
  EXPECT_NE(proof.status().message().find("log_public_key"), std::string::npos);
}

TEST(UxProgram, ADamagedReceiptsFileNeverHoldsUpAnOptOut) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  auto uxp = OpenUxpOrDie(device.Options(&env, &transport));
  ASSERT_NE(uxp, nullptr);
  ASSERT_TRUE(uxp->OptIn().ok());
  const std::string receipts = device.state_dir + "/uxp/erasure_receipts.json";
  ASSERT_TRUE(env.WriteFileAtomic(receipts, "{\"receipts\": [{\"doc_id\": 7}]}", 0600).ok());
  EXPECT_TRUE(uxp->ErasureReceipts().status().IsCorruption());

  transport.fallback = agent_testing::Reply(200, R"({"status":"erased","documents":0,"log_index":3})");
  auto out = uxp->OptOut();
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->sent, 1);
  EXPECT_FALSE(uxp->GetStatus()->enabled);
  auto fresh = uxp->ErasureReceipts();
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  ASSERT_EQ(fresh->size(), 1u) << "the damaged file is started afresh";
  EXPECT_EQ(fresh->front().log_index, 3);
}

TEST(UxProgram, RefusesManifestOfOtherRegionWithoutConnecting) {
  TestDevice device;
  device.manifest.region = "cn";
  device.manifest.uxp_url = "http://zzhc.vnet.example";
  device.WriteManifest();
  FakeEnv env;
  FakeTransport transport;
  transport.fallback = Accepted();

  auto uxp = UxProgram::Open(device.Options(&env, &transport));
  ASSERT_FALSE(uxp.ok());
  EXPECT_TRUE(uxp.status().IsPermissionDenied()) << uxp.status().ToString();
  EXPECT_NE(uxp.status().message().find("\"cn\""), std::string::npos);
  EXPECT_NE(uxp.status().message().find("\"sg\""), std::string::npos);
  EXPECT_TRUE(transport.requests.empty());
  EXPECT_FALSE(env.FileExists(device.state_dir));
}

TEST(UxProgram, FailedWritesLeaveThePreviousState) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  transport.fallback = Accepted();
  auto uxp = OpenUxpOrDie(device.Options(&env, &transport));
  ASSERT_NE(uxp, nullptr);
  ASSERT_TRUE(uxp->OptIn().ok());
  ASSERT_TRUE(uxp->Record("diagnostics.crash_count", "1").ok());
  const std::string consent_path = device.state_dir + "/uxp/consent.json";
  const std::string metrics_path = device.state_dir + "/uxp/metrics.json";
  const std::string consent = *env.ReadFile(consent_path);
  const std::string metrics = *env.ReadFile(metrics_path);

  env.fail_writes = true;
  EXPECT_TRUE(uxp->Record("diagnostics.crash_count", "1").IsIoError());
  EXPECT_TRUE(uxp->Feedback("lost?", 3).IsIoError());
  auto out = uxp->OptOut();
  EXPECT_TRUE(out.status().IsIoError()) << out.status().ToString();
  auto upload = uxp->Upload();
  EXPECT_TRUE(upload.status().IsIoError()) << upload.status().ToString();

  EXPECT_EQ(*env.ReadFile(consent_path), consent);
  EXPECT_EQ(*env.ReadFile(metrics_path), metrics);
  auto status = uxp->GetStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->enabled);
  EXPECT_EQ(status->pending_pings, 0);
  EXPECT_EQ(status->pending_deletion_requests, 0);
  EXPECT_TRUE(transport.requests.empty());

  // The disk recovers: the one recorded crash is sent, once.
  env.fail_writes = false;
  auto recovered = uxp->Upload();
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_EQ(recovered->sent, 1);
  EXPECT_EQ(Sent(transport.requests[0]).body["metrics"]["counter"]["diagnostics.crash_count"], 1);
}

TEST(UxProgram, FailedOptInStaysOptedOut) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  auto uxp = OpenUxpOrDie(device.Options(&env, &transport));
  ASSERT_NE(uxp, nullptr);
  env.fail_writes = true;
  EXPECT_TRUE(uxp->OptIn().IsIoError());
  env.fail_writes = false;
  EXPECT_FALSE(uxp->GetStatus()->enabled);
  EXPECT_TRUE(uxp->Record("diagnostics.crash_count", "1").IsPermissionDenied());
}

}  // namespace
}  // namespace homeport
