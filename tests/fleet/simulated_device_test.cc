// What a simulated device sends: the agent's signed activation, then Glean pings that the
// server's own registry accepts, a deletion-request on opt-out and a fresh client id after.
#include "fleet/simulated_device.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <nlohmann/json.hpp>
#include <set>

#include "common/gzip.h"
#include "crypto/jws.h"
#include "fleet/fleet_loader.h"
#include "fleet_test_support.h"
#include "schema/ping_validator.h"
#include "schema/schema_registry.h"

namespace homeport::fleet {
namespace {

using nlohmann::json;

std::string Header(const TransportRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

// The ping's type from its URL: /submit/homeport-agent/<ping>/1/<doc_id>.
std::string PingOf(const TransportRequest& r) {
  const std::string marker = "/submit/homeport-agent/";
  size_t at = r.url.find(marker);
  if (at == std::string::npos) return "";
  std::string rest = r.url.substr(at + marker.size());
  return rest.substr(0, rest.find('/'));
}

class SimulatedDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fleet = LoadFleet(batch_.Options(3, batch_.Manifest("sg")));
    ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
    fleet_ = std::move(*fleet);
    auto registry = schema::SchemaRegistry::Load({});
    ASSERT_TRUE(registry.ok()) << registry.status().ToString();
    registry_.emplace(std::move(*registry));
  }

  // Validates a ping request as the server's submit handler does; returns the document.
  json Validate(const TransportRequest& r) {
    EXPECT_EQ(Header(r, "Content-Encoding"), "gzip");
    auto body = Gunzip(r.body, 8 << 20);
    EXPECT_TRUE(body.ok());
    if (!body.ok()) return json();
    simdjson::dom::parser parser;
    simdjson::dom::element payload;
    EXPECT_FALSE(parser.parse(*body).get(payload));
    schema::ValidationResult v = schema::ValidatePing(*registry_, "homeport-agent", PingOf(r),
                                                      payload, Env::Default()->Now());
    for (const auto& violation : v.violations) {
      ADD_FAILURE() << PingOf(r) << ": " << violation.field << ": " << violation.message << "\n"
                    << *body;
    }
    return json::parse(*body);
  }

  fleet_testing::TestBatch batch_{3};
  LoadedFleet fleet_;
  std::optional<schema::SchemaRegistry> registry_;
};

TEST_F(SimulatedDeviceTest, FirstRequestIsTheSignedActivation) {
  SimulatedDevice device(fleet_.devices[0], fleet_.manifest, MixRandom(1), /*in_program=*/false);
  device.StartDay({}, false, *Env::Default());
  ASSERT_TRUE(device.has_request());
  EXPECT_EQ(device.current_kind(), RequestKind::kActivation);
  auto request = device.CurrentRequest(*Env::Default());
  ASSERT_TRUE(request.ok());
  const TransportRequest& r = **request;
  EXPECT_EQ(r.url, "http://127.0.0.1:9/v1/activations");
  json body = json::parse(r.body);
  EXPECT_EQ(body["serial"], "B1-000001");
  EXPECT_EQ(body["region"], "sg");
  EXPECT_TRUE(crypto::VerifyDetached(Header(r, "X-Homeport-Signature"), r.body,
                                     fleet_.devices[0].device_key.Public())
                  .ok());
  device.PopRequest();
  EXPECT_FALSE(device.has_request()) << "a device outside the program sends nothing else";
  device.StartDay({}, false, *Env::Default());
  EXPECT_FALSE(device.has_request()) << "activation happens once (D2)";
}

TEST_F(SimulatedDeviceTest, EveryPingValidatesAgainstTheServersRegistry) {
  PingMixOptions mix{
      .diagnostics_share = 1, .feedback_share = 0.5, .identifier_share = 0.5, .opt_out_share = 0.2};
  SimulatedDevice device(fleet_.devices[1], fleet_.manifest, MixRandom(2), /*in_program=*/true);
  std::set<std::string> seen;
  std::set<std::string> client_ids;
  for (int day = 0; day < 60; ++day) {
    device.StartDay(mix, /*joins_today=*/!device.in_program(), *Env::Default());
    while (device.has_request()) {
      const RequestKind kind = device.current_kind();
      auto request = device.CurrentRequest(*Env::Default());
      ASSERT_TRUE(request.ok()) << request.status().ToString();
      if (kind != RequestKind::kActivation) {
        EXPECT_EQ(PingOf(**request), RequestKindName(kind));
        json doc = Validate(**request);
        seen.insert(PingOf(**request));
        const std::string client_id = doc["client_info"]["client_id"];
        client_ids.insert(client_id);
        // S4: nothing of the device's identity travels with a ping.
        EXPECT_EQ(doc.dump().find("B1-000002"), std::string::npos);
      }
      device.PopRequest();
    }
  }
  EXPECT_EQ(seen,
            (std::set<std::string>{"baseline", "diagnostics", "feedback", "deletion-request"}));
  EXPECT_GT(client_ids.size(), 1u) << "every opt-in after an opt-out gets a new client id";
}

TEST_F(SimulatedDeviceTest, OptOutSendsTheDeletionRequestAndForgetsTheClientId) {
  PingMixOptions mix{
      .diagnostics_share = 0, .feedback_share = 0, .identifier_share = 0, .opt_out_share = 1};
  SimulatedDevice device(fleet_.devices[2], fleet_.manifest, MixRandom(3), /*in_program=*/true);
  device.StartDay(mix, false, *Env::Default());
  device.PopRequest();  // the activation
  ASSERT_EQ(device.current_kind(), RequestKind::kBaseline);
  std::string client_id =
      Validate(**device.CurrentRequest(*Env::Default()))["client_info"]["client_id"];
  device.PopRequest();
  ASSERT_EQ(device.current_kind(), RequestKind::kDeletionRequest);
  json deletion = Validate(**device.CurrentRequest(*Env::Default()));
  EXPECT_EQ(deletion["client_info"]["client_id"], client_id);
  EXPECT_EQ(deletion["ping_info"]["reason"], "set_upload_enabled");
  EXPECT_FALSE(deletion.contains("metrics"));
  EXPECT_FALSE(device.in_program());
  // A retry sends the same document: the server deduplicates it.
  std::string first = (*device.CurrentRequest(*Env::Default()))->url;
  EXPECT_EQ((*device.CurrentRequest(*Env::Default()))->url, first);
  device.PopRequest();
  EXPECT_FALSE(device.has_request());
}

}  // namespace
}  // namespace homeport::fleet
