// The data catalogue lists every declared field, for machines (JSON) and people (HTML).
#include "schema/catalogue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "schema_test_util.h"

namespace homeport::schema {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const nlohmann::json* FindByName(const nlohmann::json& list, const std::string& name,
                                 const char* key) {
  for (const auto& item : list) {
    if (item.at(key) == name) return &item;
  }
  return nullptr;
}

TEST(Catalogue, JsonListsEveryDeclaredMetricWithRetentionAndSensitivity) {
  const SchemaRegistry& registry = testing::SampleRegistry();
  nlohmann::json cat = CatalogueJson(registry);
  EXPECT_EQ(cat["default_retention_days"], 90);
  for (const auto& [app_id, app] : registry.apps()) {
    const nlohmann::json* a = FindByName(cat["apps"], app_id, "app_id");
    ASSERT_NE(a, nullptr) << app_id;
    EXPECT_EQ((*a)["metrics"].size(), app.metrics.size());
    for (const auto& [name, metric] : app.metrics) {
      const nlohmann::json* m = FindByName((*a)["metrics"], name, "name");
      ASSERT_NE(m, nullptr) << name;
      EXPECT_EQ((*m)["retention_days"], metric.retention_days) << name;
      EXPECT_EQ((*m)["type"], MetricTypeName(metric.type)) << name;
      EXPECT_EQ((*m)["description"], metric.description) << name;
      EXPECT_TRUE((*m)["data_sensitivity"].is_array()) << name;
      EXPECT_EQ((*m)["send_in_pings"], metric.send_in_pings) << name;
      EXPECT_TRUE((*m).contains("lifetime") && (*m).contains("expires")) << name;
    }
  }
  const nlohmann::json* agent = FindByName(cat["apps"], "homeport-agent", "app_id");
  const nlohmann::json* text = FindByName((*agent)["metrics"], "feedback.text", "name");
  EXPECT_EQ((*text)["data_sensitivity"], nlohmann::json::array({"highly_sensitive"}));
  EXPECT_EQ((*text)["retention_days"], 30);
  EXPECT_EQ((*text)["send_in_pings"], nlohmann::json::array({"feedback"}));
  const nlohmann::json* feedback = FindByName((*agent)["pings"], "feedback", "name");
  EXPECT_EQ((*feedback)["retention_days"], 30);
  EXPECT_EQ((*feedback)["include_client_id"], true);
  EXPECT_EQ((*FindByName((*agent)["pings"], "deletion-request", "name"))["builtin"], true);
  EXPECT_NE(FindByName(cat["envelope"], "client_info.client_id", "name"), nullptr);
}

TEST(Catalogue, HtmlShowsEveryMetricAndEscapesSchemaText) {
  std::string metrics =
      "$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0\nui:\n" +
      testing::Metric(
          "taps", "counter",
          "    metadata:\n      retention_days: 12\n    data_sensitivity: [interaction]\n");
  metrics.replace(metrics.find("Sample counter."), 15,
                  "|\n      \"Taps\" <script>alert(1)</script> & more");
  Result<AppSchema> app = ParseAppSchema("org-example-app", {"m.yaml", metrics}, std::nullopt);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  Result<SchemaRegistry> registry = SchemaRegistry::Create({std::move(app).value()});
  ASSERT_TRUE(registry.ok());

  std::string html = CatalogueHtml(*registry);
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("&quot;Taps&quot; &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("<code>ui.taps</code>"));
  EXPECT_THAT(html, HasSubstr("12 days"));
  EXPECT_THAT(html, HasSubstr("interaction"));
  EXPECT_THAT(html, HasSubstr("<code>feedback.text</code>"));
  EXPECT_THAT(html, HasSubstr("highly_sensitive"));
  // Self-contained: no external stylesheet, script or image.
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
}

}  // namespace
}  // namespace homeport::schema
