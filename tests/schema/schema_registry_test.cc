// SchemaRegistry: the shipped schemas are always there; schema directories add applications.
#include "schema/schema_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "schema/shipped_schemas.h"
#include "schema_test_util.h"

namespace homeport::schema {
namespace {

using ::testing::HasSubstr;

// A fresh directory under the system's temporary directory, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "schema_test.XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  void Write(const std::string& relative, const std::string& text) const {
    std::filesystem::path p = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }

 private:
  std::string path_;
};

TEST(SchemaRegistry, AlwaysHasTheShippedAgentSchema) {
  Result<SchemaRegistry> r = SchemaRegistry::Load({});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const AppSchema* agent = r->Find("homeport-agent");
  ASSERT_NE(agent, nullptr);
  for (const char* name :
       {"diagnostics.crash_count", "diagnostics.anr_count", "diagnostics.battery_cycle_count",
        "diagnostics.boot_time", "diagnostics.free_storage", "feedback.text", "feedback.rating"}) {
    EXPECT_NE(agent->FindMetric(name), nullptr) << name;
  }
  EXPECT_EQ(agent->FindMetric("diagnostics.boot_time")->type, MetricType::kTimespan);
  EXPECT_EQ(agent->FindMetric("diagnostics.free_storage")->unit, "megabyte");
  EXPECT_EQ(agent->FindMetric("feedback.text")->retention_days, 30);
  EXPECT_EQ(agent->FindMetric("feedback.text")->data_sensitivity,
            std::vector<DataSensitivity>{DataSensitivity::kHighlySensitive});
  for (const char* ping : {"diagnostics", "feedback"}) {
    ASSERT_NE(agent->FindPing(ping), nullptr) << ping;
    EXPECT_TRUE(agent->FindPing(ping)->include_client_id);
  }
  EXPECT_EQ(agent->FindPing("diagnostics")->retention_days, 90);
  EXPECT_EQ(agent->FindPing("feedback")->retention_days, 30);
  EXPECT_EQ(r->Find("org-unknown"), nullptr);
}

TEST(SchemaRegistry, CompiledInSchemasMatchTheFilesInTheSourceTree) {
  for (const ShippedSchema& s : ShippedSchemas()) {
    std::ifstream in(std::string(HOMEPORT_SOURCE_DIR) + "/" + std::string(s.metrics_path));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, s.metrics_yaml) << s.metrics_path << " changed; re-run cmake";
  }
}

TEST(SchemaRegistry, LoadsApplicationsFromDirectories) {
  TempDir dir;
  dir.Write("org-example-app/metrics.yaml", testing::SampleMetricsYaml());
  dir.Write("org-example-app/pings.yaml", testing::SamplePingsYaml());
  dir.Write("org-other-app/metrics.yaml",
            "$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0\nui:\n" +
                testing::Metric("taps", "counter"));
  dir.Write("README.md", "not an application\n");
  Result<SchemaRegistry> r = SchemaRegistry::Load({dir.path()});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->apps().size(), 3u);
  ASSERT_NE(r->Find("org-example-app"), nullptr);
  EXPECT_NE(r->Find("org-example-app")->FindPing("checkup"), nullptr);
  ASSERT_NE(r->Find("org-other-app"), nullptr);
  EXPECT_NE(r->Find("org-other-app")->FindMetric("ui.taps"), nullptr);
  EXPECT_EQ(r->Find("org-other-app")->FindMetric("ui.taps")->source.file,
            dir.path() + "/org-other-app/metrics.yaml");
}

TEST(SchemaRegistry, InvalidFileStopsLoadingWithFileAndLine) {
  TempDir dir;
  dir.Write("org-example-app/metrics.yaml",
            "$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0\nui:\n" +
                testing::Metric("taps", "counter", "    expires: tomorrow\n"));
  Result<SchemaRegistry> r = SchemaRegistry::Load({dir.path()});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_THAT(r.status().message(),
              HasSubstr(dir.path() + "/org-example-app/metrics.yaml:9: ui.taps: expires must be"));
}

TEST(SchemaRegistry, RefusesAnApplicationDefinedTwice) {
  TempDir a, b;
  for (const TempDir* d : {&a, &b}) {
    d->Write("org-example-app/metrics.yaml",
             "$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0\n");
  }
  Result<SchemaRegistry> r = SchemaRegistry::Load({a.path(), b.path()});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(),
              HasSubstr("'org-example-app' is already registered from " + a.path()));

  TempDir shadow;
  shadow.Write("homeport-agent/metrics.yaml",
               "$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0\n");
  EXPECT_THAT(SchemaRegistry::Load({shadow.path()}).status().message(),
              HasSubstr("already registered from homeport's shipped schemas"));
}

TEST(SchemaRegistry, AcceptsTheSourceTreesOwnSchemasDirectory) {
  Result<SchemaRegistry> r = SchemaRegistry::Load({std::string(HOMEPORT_SOURCE_DIR) + "/schemas"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(r->Find("homeport-agent"), nullptr);
}

TEST(SchemaRegistry, NamesAMissingDirectory) {
  Result<SchemaRegistry> r = SchemaRegistry::Load({"/nonexistent/schemas"});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("/nonexistent/schemas"));
}

TEST(SchemaRegistry, CreateRefusesDuplicateApplications) {
  EXPECT_FALSE(SchemaRegistry::Create({testing::SampleApp(), testing::SampleApp()}).ok());
}

}  // namespace
}  // namespace homeport::schema
