// POST /v1/activations through the Router, without sockets, over a real SQLite store.
#include "server/refusal_flush.h"
#include "server_test_support.h"

namespace homeport::server_testing {
namespace {

using ActivationHandler = ServerFixture;

TEST_F(ActivationHandler, FirstActivationIs201AndRepeatReturnsOriginalStart) {
  TestDevice d = MakeDevice("B1-000001");
  Enroll(d);
  std::string body = ActivationBody(d).dump();
  HttpResponse first = Call(SignedActivation(d, body));
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(Json(first)["status"], "activated");
  std::string start = Json(first)["warranty_start"];
  EXPECT_EQ(start, FormatDate(Env::Default()->Now()));

  HttpResponse again = Call(SignedActivation(d, body));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Json(again)["warranty_start"], start);
  EXPECT_EQ(Json(again)["status"], "already_activated");
}

TEST_F(ActivationHandler, NewVersionsAreACheckIn) {
  TestDevice d = MakeDevice("B1-000002");
  Enroll(d);
  ASSERT_EQ(Call(SignedActivation(d, ActivationBody(d, 1).dump())).status, 201);
  HttpResponse r = Call(SignedActivation(d, ActivationBody(d, 2, "1.1.0", 2).dump()));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json(r)["status"], "checked_in");
  auto report = store_->Rollout(std::nullopt);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->versions.size(), 1u);
  EXPECT_EQ(report->versions[0].manifest_version, 2);
  EXPECT_EQ(report->versions[0].client_version, "1.1.0");
}

// The versions the rollout report shows for `d`'s batch, as "manifest/client".
std::vector<std::string> RecordedVersions(Store& store) {
  std::vector<std::string> out;
  auto report = store.Rollout(std::nullopt);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  if (!report.ok()) return out;
  for (const auto& v : report->versions) {
    out.push_back(std::to_string(v.manifest_version) + "/" + v.client_version);
  }
  return out;
}

TEST_F(ActivationHandler, ReplayedEarlierActivationAfterACheckInIs409AndChangesNothing) {
  TestDevice d = MakeDevice("B1-000012");
  Enroll(d);
  HttpRequest earlier = SignedActivation(d, ActivationBody(d, 1, "1.0.0", 1).dump());
  HttpResponse first = Call(earlier);
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_EQ(Call(SignedActivation(d, ActivationBody(d, 2, "1.1.0", 2).dump())).status, 200);

  HttpResponse replay = Call(earlier);  // the same signed bytes, captured and sent again
  ASSERT_EQ(replay.status, 409) << replay.body;
  EXPECT_EQ(Json(replay)["error"], "stale_activation");
  EXPECT_EQ(Json(replay)["recorded_sequence"], 2);
  EXPECT_EQ(Json(replay)["recorded_manifest_version"], 2);
  EXPECT_EQ(RecordedVersions(*store_), std::vector<std::string>{"2/1.1.0"});
  auto record = store_->LookupWarranty(d.record.serial, "test", Env::Default()->Now());
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->checkins, 1) << "a refused replay is not a check-in";
  EXPECT_EQ((*record)->warranty_start, Json(first)["warranty_start"]);
}

TEST_F(ActivationHandler, LowerManifestVersionIs409EvenWithAHigherSequence) {
  TestDevice d = MakeDevice("B1-000013");
  Enroll(d);
  ASSERT_EQ(Call(SignedActivation(d, ActivationBody(d, 3, "1.1.0", 1).dump())).status, 201);
  HttpResponse back = Call(SignedActivation(d, ActivationBody(d, 2, "1.1.0", 7).dump()));
  ASSERT_EQ(back.status, 409) << back.body;
  EXPECT_EQ(Json(back)["error"], "stale_activation");
  EXPECT_EQ(RecordedVersions(*store_), std::vector<std::string>{"3/1.1.0"});
}

TEST_F(ActivationHandler, RepeatOfTheRecordedVersionsIs200WhateverItsSequence) {
  TestDevice d = MakeDevice("B1-000014");
  Enroll(d);
  HttpResponse first = Call(SignedActivation(d, ActivationBody(d, 1, "1.0.0", 5).dump()));
  ASSERT_EQ(first.status, 201);
  // A device whose counter was wiped with its state asks again: it still learns its warranty.
  HttpResponse again = Call(SignedActivation(d, ActivationBody(d, 1, "1.0.0", 1).dump()));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Json(again)["status"], "already_activated");
  EXPECT_EQ(Json(again)["warranty_start"], Json(first)["warranty_start"]);
}

TEST_F(ActivationHandler, SequenceIsRequiredAndPositive) {
  TestDevice d = MakeDevice("B1-000015");
  Enroll(d);
  nlohmann::json body = ActivationBody(d);
  body.erase("sequence");
  HttpResponse missing = Call(SignedActivation(d, body.dump()));
  ASSERT_EQ(missing.status, 400);
  EXPECT_NE(Json(missing)["fields"].dump().find("sequence"), std::string::npos);
  body["sequence"] = 0;
  HttpResponse zero = Call(SignedActivation(d, body.dump()));
  ASSERT_EQ(zero.status, 400);
  EXPECT_NE(Json(zero)["fields"].dump().find("sequence"), std::string::npos);
}

TEST_F(ActivationHandler, OtherRegionIs421AndNothingIsStored) {
  TestDevice d = MakeDevice("CN-000001", "cn");
  HttpResponse r = Call(SignedActivation(d, ActivationBody(d).dump()));
  ASSERT_EQ(r.status, 421);
  EXPECT_EQ(Json(r)["error"], "wrong_region");
  EXPECT_EQ(Json(r)["claimed_region"], "cn");
  // Counted in memory; the store gets it with the next flush of the tally.
  ASSERT_TRUE(FlushWrongRegionTally(metrics_, *writer_));
  writer_->Stop();  // the aggregate is committed by the writer; wait for it
  auto counts = store_->WrongRegionCounts();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].claimed_region, "cn");
  EXPECT_EQ((*counts)[0].variant, "global");
  auto found = store_->FindEnrollment("CN-000001");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  EXPECT_NE(metrics_.Render().find(
                "homeport_wrong_region_attempts_total{claimed_region=\"cn\",variant=\"global\"} 1"),
            std::string::npos);
}

TEST_F(ActivationHandler, UnknownSerialIs403) {
  TestDevice d = MakeDevice("B1-999999");
  HttpResponse r = Call(SignedActivation(d, ActivationBody(d).dump()));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Json(r)["error"], "unknown_device");
}

TEST_F(ActivationHandler, ForgedSignatureIs401) {
  TestDevice d = MakeDevice("B1-000003");
  Enroll(d);
  TestDevice impostor = MakeDevice("B1-000003");  // same serial, another key
  HttpResponse r = Call(SignedActivation(impostor, ActivationBody(d).dump()));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Json(r)["error"], "bad_signature");
  auto record = store_->LookupWarranty("B1-000003", "test", Env::Default()->Now());
  ASSERT_TRUE(record.ok());
  EXPECT_FALSE(record->has_value());
}

TEST_F(ActivationHandler, SignatureOverOtherBytesIs401) {
  TestDevice d = MakeDevice("B1-000004");
  Enroll(d);
  HttpRequest r = SignedActivation(d, ActivationBody(d).dump());
  r.body = ActivationBody(d, 9).dump();  // signed body swapped after signing
  EXPECT_EQ(Call(r).status, 401);
}

TEST_F(ActivationHandler, MissingSignatureIs401) {
  TestDevice d = MakeDevice("B1-000005");
  Enroll(d);
  HttpRequest r = SignedActivation(d, ActivationBody(d).dump());
  r.headers.pop_back();
  EXPECT_EQ(Call(r).status, 401);
}

TEST_F(ActivationHandler, MalformedJsonIs400BadJson) {
  TestDevice d = MakeDevice("B1-000006");
  HttpResponse r = Call(SignedActivation(d, "{\"serial\": "));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Json(r)["error"], "bad_json");
}

TEST_F(ActivationHandler, ExtraAndMissingFieldsAreNamed) {
  TestDevice d = MakeDevice("B1-000007");
  Enroll(d);
  nlohmann::json body = ActivationBody(d);
  body.erase("sku");
  body["imei"] = "490154203237518";
  HttpResponse r = Call(SignedActivation(d, body.dump()));
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(Json(r)["error"], "schema_violation");
  std::string fields = Json(r)["fields"].dump();
  EXPECT_NE(fields.find("imei"), std::string::npos);
  EXPECT_NE(fields.find("sku"), std::string::npos);
}

TEST_F(ActivationHandler, WrongTypesAreNamed) {
  TestDevice d = MakeDevice("B1-000008");
  nlohmann::json body = ActivationBody(d);
  body["manifest_version"] = "1";
  body["serial"] = 12;
  HttpResponse r = Call(SignedActivation(d, body.dump()));
  ASSERT_EQ(r.status, 400);
  std::string fields = Json(r)["fields"].dump();
  EXPECT_NE(fields.find("manifest_version"), std::string::npos);
  EXPECT_NE(fields.find("serial"), std::string::npos);
}

TEST_F(ActivationHandler, VariantOtherThanEnrolledIsRefused) {
  TestDevice d = MakeDevice("B1-000009");
  Enroll(d);
  nlohmann::json body = ActivationBody(d);
  body["variant"] = "cn";
  HttpResponse r = Call(SignedActivation(d, body.dump()));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(Json(r)["fields"].dump().find("variant"), std::string::npos);
}

TEST_F(ActivationHandler, WrongContentTypeIs415) {
  TestDevice d = MakeDevice("B1-000010");
  HttpRequest r = SignedActivation(d, ActivationBody(d).dump());
  r.headers[0].second = "text/plain";
  HttpResponse resp = Call(r);
  EXPECT_EQ(resp.status, 415);
  EXPECT_EQ(Json(resp)["error"], "unsupported_media_type");
  r.headers[0].second = "application/json; charset=utf-8";
  EXPECT_NE(Call(r).status, 415);
}

TEST_F(ActivationHandler, BodyOver1MBIs413) {
  TestDevice d = MakeDevice("B1-000011");
  HttpRequest r = SignedActivation(d, std::string(kMaxBodyBytes + 1, ' '));
  EXPECT_EQ(Call(r).status, 413);
}

TEST_F(ActivationHandler, ErrorsAreJsonWithCodeAndMessage) {
  HttpRequest r;
  r.method = "POST";
  r.target = "/v1/activations";
  r.headers = {{"content-type", "application/json"}};
  r.body = "[]";
  nlohmann::json j = Json(Call(r));
  EXPECT_TRUE(j["error"].is_string());
  EXPECT_TRUE(j["message"].is_string());
}

}  // namespace
}  // namespace homeport::server_testing
