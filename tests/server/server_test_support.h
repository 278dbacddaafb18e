// Fixtures for server tests: a region server's services over a real SQLite store in a temp
// directory, enrolled test devices, signed activation requests, and a synchronous call.
#pragma once

#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>
#include <string>

#include "../common/testing_temp_dir.h"
#include "crypto/jws.h"
#include "server/router.h"

namespace homeport::server_testing {

// A Glean ping as the homeport-agent app sends it; no "metrics" key when `metrics` is null.
inline nlohmann::json GleanPing(
    const nlohmann::json& metrics,
    const std::string& client = "3f0b8c1e-2d4a-4b6c-9e8f-0a1b2c3d4e5f") {
  nlohmann::json p = {{"ping_info",
                       {{"seq", 0},
                        {"start_time", "2026-11-29T13:24+00:00"},
                        {"end_time", "2026-11-29T14:24+00:00"}}},
                      {"client_info",
                       {{"client_id", client},
                        {"first_run_date", "2026-11-29+00:00"},
                        {"telemetry_sdk_build", "homeport-agent 0.1.0"},
                        {"os", "Linux"},
                        {"os_version", "6.1"},
                        {"architecture", "x86_64"},
                        {"app_build", "1"},
                        {"app_display_version", "1.0.0"}}}};
  if (!metrics.is_null()) p["metrics"] = metrics;
  return p;
}

// POST /submit/<app>/<ping>/1/<doc_id> with a JSON body.
inline HttpRequest SubmitRequest(const std::string& ping, const std::string& body,
                                 const std::string& doc_id,
                                 const std::string& app = "homeport-agent") {
  HttpRequest r;
  r.method = "POST";
  r.target = "/submit/" + app + "/" + ping + "/1/" + doc_id;
  r.headers = {{"content-type", "application/json; charset=utf-8"}};
  r.body = body;
  return r;
}

// The n-th document id: a UUID.
inline std::string DocId(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", n);
  return buf;
}

struct TestDevice {
  EnrollmentRecord record;
  crypto::SecretKey key;
};

inline TestDevice MakeDevice(const std::string& serial, const std::string& region = "sg") {
  crypto::SecretKey key = crypto::SecretKey::Generate();
  return {{serial, "HP7", "HP7-64", "global", region, "B1", key.Public()}, key};
}

inline nlohmann::json ActivationBody(const TestDevice& d, int64_t manifest_version = 1,
                                     const std::string& client_version = "1.0.0",
                                     int64_t sequence = 1) {
  return {{"serial", d.record.serial},
          {"model", d.record.model},
          {"sku", d.record.sku},
          {"variant", d.record.variant},
          {"region", d.record.region},
          {"client_version", client_version},
          {"manifest_version", manifest_version},
          {"sequence", sequence}};
}

inline HttpRequest SignedActivation(const TestDevice& d, const std::string& body) {
  HttpRequest r;
  r.method = "POST";
  r.target = "/v1/activations";
  r.headers = {{"content-type", "application/json"},
               {"x-homeport-signature", crypto::SignDetached(body, d.key)}};
  r.body = body;
  return r;
}

// A running region "sg" service: store, writer, metrics, router.
class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open("sqlite:" + dir_.File("sg.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    writer_ = std::make_unique<GroupCommitWriter>(*store_, Env::Default(), &metrics_);
    IngestLogOptions log_options;
    log_options.dir = dir_.File("sg.db.ingest");
    auto log = IngestLog::Open(log_options, Env::Default());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ingest_log_ = std::move(*log);
    loader_ = std::make_unique<IngestLoader>(*ingest_log_, *store_, Env::Default(), &metrics_);
    auto schemas = schema::SchemaRegistry::Load({});
    ASSERT_TRUE(schemas.ok()) << schemas.status().ToString();
    schemas_ = std::make_unique<schema::SchemaRegistry>(std::move(*schemas));
    auto scanner = privacy::IdentifierScanner::Create({"SG"});
    ASSERT_TRUE(scanner.ok());
    scanner_ = std::make_unique<privacy::IdentifierScanner>(std::move(*scanner));
    router_ = std::make_unique<Router>(ServiceContext{"sg",
                                                      store_.get(),
                                                      writer_.get(),
                                                      ingest_log_.get(),
                                                      loader_.get(),
                                                      &metrics_,
                                                      Env::Default(),
                                                      {},
                                                      schemas_.get(),
                                                      scanner_.get(),
                                                      &rate_limiter_,
                                                      kAdminToken});
  }
  void TearDown() override {
    writer_->Stop();
    ingest_log_->Stop();
    loader_->Stop();
  }

  // The store holds every document acknowledged so far.
  void WaitLoaded() { ASSERT_TRUE(loader_->WaitLoaded(std::chrono::seconds(10)).ok()); }

  void Enroll(const TestDevice& d) { ASSERT_TRUE(store_->Enroll({d.record}).ok()); }

  HttpResponse Call(const HttpRequest& request) {
    std::promise<HttpResponse> answer;
    router_->Handle(request, [&](HttpResponse r) { answer.set_value(std::move(r)); });
    return answer.get_future().get();
  }

  static nlohmann::json Json(const HttpResponse& r) { return nlohmann::json::parse(r.body); }

  static constexpr const char* kAdminToken = "test-admin-token-0123456789";

  testing::TempDir dir_;
  ServerMetrics metrics_;
  std::unique_ptr<schema::SchemaRegistry> schemas_;
  std::unique_ptr<privacy::IdentifierScanner> scanner_;
  ClientRateLimiter rate_limiter_{ClientRateLimit{1, 3}};
  std::unique_ptr<Store> store_;
  std::unique_ptr<GroupCommitWriter> writer_;
  std::unique_ptr<IngestLog> ingest_log_;
  std::unique_ptr<IngestLoader> loader_;
  std::unique_ptr<Router> router_;
};

}  // namespace homeport::server_testing
