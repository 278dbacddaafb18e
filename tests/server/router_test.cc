// Routing, the read-only endpoints and the metrics exposition.
#include "server_test_support.h"

namespace homeport::server_testing {
namespace {

using RouterTest = ServerFixture;

HttpRequest Get(const std::string& target) {
  HttpRequest r;
  r.method = "GET";
  r.target = target;
  return r;
}

TEST_F(RouterTest, UnknownPathIs404) {
  HttpResponse r = Call(Get("/v1/nothing"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Json(r)["error"], "not_found");
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  HttpResponse r = Call(Get("/v1/activations"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Json(r)["error"], "method_not_allowed");
  ASSERT_FALSE(r.headers.empty());
  EXPECT_EQ(r.headers[0].first, "Allow");
  EXPECT_EQ(r.headers[0].second, "POST");
}

TEST_F(RouterTest, HealthzNamesRegion) {
  HttpResponse r = Call(Get("/healthz?verbose=1"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json(r)["region"], "sg");
}

TEST_F(RouterTest, MetricsCountRequestsActivationsAndCommits) {
  TestDevice d = MakeDevice("B1-000001");
  Enroll(d);
  ASSERT_EQ(Call(SignedActivation(d, ActivationBody(d).dump())).status, 201);
  Call(Get("/nope"));
  HttpResponse m = Call(Get("/metrics"));
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_NE(m.body.find("homeport_http_requests_total{route=\"/v1/activations\",status=\"201\"} 1"),
            std::string::npos);
  EXPECT_NE(m.body.find("homeport_http_requests_total{route=\"other\",status=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(m.body.find("homeport_activations_total{outcome=\"created\"} 1"), std::string::npos);
  EXPECT_NE(m.body.find("homeport_commit_batch_size_count 1"), std::string::npos);
  EXPECT_NE(m.body.find("homeport_commit_latency_seconds_bucket{le=\"+Inf\"} 1"), std::string::npos);
}

TEST_F(RouterTest, InvalidUtf8InTheRequestGivesAJsonErrorNotACrash) {
  HttpResponse r = Call(Get("/\xff\xfe"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Json(r)["error"], "not_found");  // parses: the bytes were replaced, not thrown over
  HttpRequest post;
  post.method = "POST";
  post.target = "/v1/activations";
  post.headers = {{"content-type", "\xff"}};
  EXPECT_EQ(Call(post).status, 415);
}

TEST_F(RouterTest, ManifestWithoutOneIs404) {
  EXPECT_EQ(Call(Get("/v1/manifest")).status, 404);
}

}  // namespace
}  // namespace homeport::server_testing
