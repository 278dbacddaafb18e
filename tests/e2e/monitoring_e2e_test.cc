// Monitoring end to end: the alerting rules (deploy/prometheus) and the Grafana dashboard
// (deploy/grafana) read only metrics and labels that a real `homeport serve` exports on its
// operator listener, and the gauges they are written against say what the server knows: the
// backlogs' bounds, the ingest log's lag, retention, and the access log's hash chain (read at
// start-up, so a chain rewritten while the server was down is reported at once).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "e2e_support.h"
#include "homeport/env.h"
#include "store/store.h"

namespace homeport::e2e {
namespace {

using nlohmann::json;

const std::string kDeploy = std::string(HOMEPORT_SOURCE_DIR) + "/deploy";

// Names a PromQL expression reads: metric names, and label names (in selectors and in by,
// without, on, ignoring, group_left and group_right lists). Grafana's variables ($job,
// $__rate_interval, ${DS_PROMETHEUS}) stand for values and are left out.
struct PromQlNames {
  std::set<std::string> metrics;
  std::set<std::string> labels;
};

PromQlNames NamesIn(std::string expr) {
  static const std::set<std::string> kLabelLists = {"by",       "without",    "on",
                                                    "ignoring", "group_left", "group_right"};
  static const std::set<std::string> kKeywords = {"offset", "bool", "and", "or", "unless", "atan2"};
  expr = std::regex_replace(expr, std::regex(R"(\$\{?\w+\}?)"), "");
  auto is_ident = [](char c, bool first) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
           (!first && std::isdigit(static_cast<unsigned char>(c)));
  };
  PromQlNames names;
  bool in_selector = false, in_label_list = false, label_list_next = false;
  size_t i = 0;
  while (i < expr.size()) {
    char c = expr[i];
    if (c == '"' || c == '\'' || c == '`') {  // a string: label values, regexes
      for (++i; i < expr.size() && expr[i] != c; ++i) {
        if (expr[i] == '\\' && c != '`') ++i;
      }
      ++i;
    } else if (c == '[') {  // a range or subquery: durations only
      i = expr.find(']', i);
      i = i == std::string::npos ? expr.size() : i + 1;
    } else if (c == '{' || c == '}') {
      in_selector = c == '{';
      ++i;
    } else if (c == '(') {
      in_label_list = label_list_next;
      label_list_next = false;
      ++i;
    } else if (c == ')') {
      in_label_list = false;
      ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {  // 0.99, 15m, 1e9
      while (i < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[i])) ||
                                 expr[i] == '.' || expr[i] == '_')) {
        ++i;
      }
    } else if (is_ident(c, true)) {
      size_t start = i;
      while (i < expr.size() && is_ident(expr[i], false)) ++i;
      std::string id = expr.substr(start, i - start);
      size_t next = expr.find_first_not_of(" \t\n", i);
      char after = next == std::string::npos ? '\0' : expr[next];
      std::string next_word;
      while (next < expr.size() && is_ident(expr[next], next_word.empty())) {
        next_word += expr[next++];
      }
      if (in_selector || in_label_list) {
        names.labels.insert(id);
      } else if (kLabelLists.count(id)) {
        label_list_next = true;
      } else if (kKeywords.count(id)) {
        // an operator or modifier
      } else if (after == '(' || next_word == "by" || next_word == "without") {
        // a function or an aggregation (whose grouping may come first)
      } else {
        names.metrics.insert(id);
      }
    } else {
      ++i;
    }
  }
  return names;
}

// What a scrape of /metrics offers: every family's sample names (a histogram's with their
// _bucket, _sum and _count suffixes) and every label name on a sample.
struct Exported {
  std::set<std::string> names;
  std::set<std::string> labels;
  std::string text;
};

Exported Parse(const std::string& text) {
  Exported e;
  e.text = text;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string name, type;
      words >> name >> type;
      e.names.insert(name);
      if (type == "histogram") {
        for (const char* suffix : {"_bucket", "_sum", "_count"}) e.names.insert(name + suffix);
      }
    } else if (!line.empty() && line[0] != '#') {
      size_t brace = line.find('{');
      if (brace == std::string::npos) continue;
      static const std::regex kLabel(R"(([a-zA-Z_][a-zA-Z0-9_]*)=")");
      std::string labels = line.substr(brace, line.find('}') - brace);
      for (std::sregex_iterator m(labels.begin(), labels.end(), kLabel), end; m != end; ++m) {
        e.labels.insert((*m)[1]);
      }
    }
  }
  return e;
}

// The value of the unlabelled sample `name`, or -1 when it is not exported.
double Sample(const std::string& metrics, const std::string& name) {
  std::string text = "\n" + metrics;
  size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every PromQL expression of the dashboard, with where it is: the panels' targets (rows'
// panels too) and the query variables (Grafana's label_values(METRIC, LABEL) taken apart).
std::vector<std::pair<std::string, std::string>> DashboardExpressions(
    const json& dashboard, std::set<std::string>& labels) {
  std::vector<std::pair<std::string, std::string>> out;
  std::function<void(const json&)> panels = [&](const json& list) {
    for (const auto& p : list) {
      for (const auto& t : p.value("targets", json::array())) {
        out.emplace_back("panel \"" + p.value("title", "") + "\"", t.value("expr", ""));
      }
      if (p.contains("panels")) panels(p["panels"]);
    }
  };
  panels(dashboard.at("panels"));
  static const std::regex kLabelValues(R"(^\s*label_values\((.*),\s*(\w+)\s*\)\s*$)");
  for (const auto& v : dashboard.at("templating").at("list")) {
    if (v.value("type", "") != "query") continue;
    std::string q =
        v["query"].is_object() ? v["query"].value("query", "") : v["query"].get<std::string>();
    std::smatch m;
    if (std::regex_match(q, m, kLabelValues)) {
      labels.insert(m[2]);
      q = m[1];
    }
    out.emplace_back("variable $" + v.value("name", ""), q);
  }
  return out;
}

std::vector<std::string> Serve(const Region& r, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--region",  "sg",       "--store",
                                   r.store_url, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(MonitoringE2E, PromQlNamesAreFoundInEveryPosition) {
  PromQlNames n = NamesIn(
      "sum by (route) (rate(homeport_a_total{status=~\"5..\",job=~\"$job\"}[$__rate_interval]))"
      " / on (job) group_left sum without (instance) (homeport_b) > bool 0.5"
      " and histogram_quantile(0.99, sum(rate(homeport_c_bucket[5m])) by (le))"
      " or homeport_d offset 15m unless time() - homeport_e > clamp_min(2 * homeport_f, 1e3)");
  EXPECT_EQ(n.metrics, (std::set<std::string>{"homeport_a_total", "homeport_b", "homeport_c_bucket",
                                              "homeport_d", "homeport_e", "homeport_f"}));
  EXPECT_EQ(n.labels, (std::set<std::string>{"route", "status", "job", "instance", "le"}));
}

// A rule or panel naming a metric the server does not export shows nothing, silently: an alert
// that can never fire. Every name is checked against a live server's /metrics, after the
// requests that give the labelled families their series.
TEST(MonitoringE2E, AlertsAndDashboardReadOnlyWhatTheServerExports) {
  Region region(1);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output();
  SignedActivation ok = HandMadeActivation(region.Profile(1), "sg");
  ASSERT_EQ(HttpCall(server.port(), "POST", "/v1/activations", ok.headers, ok.body).status, 201);
  SignedActivation cn = HandMadeActivation(region.Profile(1), "cn");
  ASSERT_EQ(HttpCall(server.port(), "POST", "/v1/activations", cn.headers, cn.body).status, 421);
  json feedback = json::parse(
      GleanBody(Uuid(1, 1), json{{"text", {{"feedback.text", "call me on +65 6123 4567"}}},
                                 {"quantity", {{"feedback.rating", 2}}}}
                                .dump()));
  feedback["ping_info"]["reason"] = "user_submitted";
  HttpResult submitted = Submit(server.port(), "feedback", Uuid(2, 1), feedback.dump());
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  HttpResult scrape = HttpCall(server.admin_port(), "GET", "/metrics");
  ASSERT_EQ(scrape.status, 200);
  Exported exported = Parse(scrape.body);
  // Prometheus adds these to every series it scrapes; `up` is its own.
  exported.labels.insert({"job", "instance"});
  exported.names.insert("up");
  for (const char* family :
       {"homeport_wrong_region_attempts_total{", "homeport_uxp_pings_total{",
        "homeport_scrubbed_identifiers_total{", "homeport_http_requests_total{"}) {
    ASSERT_NE(scrape.body.find(family), std::string::npos) << family << " has no series\n"
                                                           << scrape.body;
  }

  // Every expression of the rules, and every series the rules' unit tests feed them.
  std::vector<std::pair<std::string, std::string>> expressions;
  YAML::Node rules = YAML::LoadFile(kDeploy + "/prometheus/homeport-alerts.yml");
  for (const auto& group : rules["groups"]) {
    for (const auto& rule : group["rules"]) {
      expressions.emplace_back("alert " + rule["alert"].as<std::string>(),
                               rule["expr"].as<std::string>());
    }
  }
  ASSERT_GE(expressions.size(), 10u);
  YAML::Node rule_tests = YAML::LoadFile(kDeploy + "/prometheus/homeport-alerts_test.yml");
  size_t series = 0;
  for (const auto& test : rule_tests["tests"]) {
    for (const auto& input : test["input_series"]) {
      expressions.emplace_back("test series", input["series"].as<std::string>());
      ++series;
    }
  }
  ASSERT_GE(series, 20u);

  json dashboard = json::parse(ReadText(kDeploy + "/grafana/homeport.json"));
  std::set<std::string> variable_labels;
  auto panels = DashboardExpressions(dashboard, variable_labels);
  ASSERT_GE(panels.size(), 20u);
  expressions.insert(expressions.end(), panels.begin(), panels.end());

  std::set<std::string> used;
  for (const auto& [where, expr] : expressions) {
    PromQlNames n = NamesIn(expr);
    EXPECT_FALSE(n.metrics.empty()) << where << " reads no metric: " << expr;
    for (const auto& m : n.metrics) {
      EXPECT_TRUE(exported.names.count(m))
          << where << " reads " << m << ", which homeport serve does not export: " << expr;
      used.insert(m);
    }
    for (const auto& l : n.labels) {
      EXPECT_TRUE(exported.labels.count(l))
          << where << " reads label " << l << ", which no exported series has: " << expr;
    }
  }
  for (const auto& l : variable_labels) EXPECT_TRUE(exported.labels.count(l)) << l;
  // The gauges added for the rules are read by them.
  for (const char* gauge :
       {"homeport_ingest_unloaded_bytes", "homeport_retention_last_run_timestamp_seconds",
        "homeport_retention_interval_seconds", "homeport_access_log_chain_verified"}) {
    EXPECT_TRUE(used.count(gauge)) << gauge;
  }
}

// The dashboard imports cleanly: one Prometheus data source chosen through the DS_PROMETHEUS
// variable (on import or provisioning alike), every query on it, distinct panel ids.
TEST(MonitoringE2E, DashboardTakesItsDataSourceFromOneVariable) {
  json dashboard = json::parse(ReadText(kDeploy + "/grafana/homeport.json"));
  EXPECT_GE(dashboard.value("schemaVersion", 0), 36);
  EXPECT_EQ(dashboard.value("uid", ""), "homeport");
  bool has_variable = false;
  for (const auto& v : dashboard["templating"]["list"]) {
    if (v.value("name", "") == "DS_PROMETHEUS") {
      has_variable = v.value("type", "") == "datasource" && v.value("query", "") == "prometheus";
    } else {
      EXPECT_EQ(v["datasource"].value("uid", ""), "${DS_PROMETHEUS}") << v.dump();
    }
  }
  EXPECT_TRUE(has_variable);
  std::set<int> ids;
  for (const auto& p : dashboard["panels"]) {
    EXPECT_TRUE(ids.insert(p.value("id", -1)).second) << "panel id used twice: " << p["id"];
    EXPECT_TRUE(p.contains("gridPos")) << p.value("title", "");
    if (p.value("type", "") == "row") continue;
    EXPECT_EQ(p["datasource"].value("uid", ""), "${DS_PROMETHEUS}") << p.value("title", "");
    for (const auto& t : p["targets"]) {
      EXPECT_EQ(t["datasource"].value("uid", ""), "${DS_PROMETHEUS}") << p.value("title", "");
    }
  }
}

TEST(MonitoringE2E, GaugesForTheAlertsSayWhatTheServerKnows) {
  Region region(1);
  ServerProcess server(Serve(region, {"--queue", "500", "--ingest-log-max-bytes", "67108864"}));
  ASSERT_TRUE(server.started()) << server.output();
  std::string metrics = HttpCall(server.admin_port(), "GET", "/metrics").body;
  EXPECT_EQ(Sample(metrics, "homeport_write_queue_capacity"), 500) << metrics;
  EXPECT_EQ(Sample(metrics, "homeport_ingest_log_max_bytes"), 67108864);
  EXPECT_EQ(Sample(metrics, "homeport_ingest_unloaded_bytes"), 0);
  EXPECT_EQ(Sample(metrics, "homeport_retention_interval_seconds"), 3600);
  EXPECT_EQ(Sample(metrics, "homeport_access_log_chain_verified"), 1)
      << "the chain is read at start-up";
  // The first retention pass runs at start, on its own thread.
  double last_run = -1;
  for (int tries = 0; tries < 100 && last_run <= 0; ++tries) {
    if (tries) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    last_run = Sample(HttpCall(server.admin_port(), "GET", "/metrics").body,
                      "homeport_retention_last_run_timestamp_seconds");
  }
  double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(last_run, now - 120) << "no retention pass succeeded since the start";
  EXPECT_LE(last_run, now + 1);
}

TEST(MonitoringE2E, AccessLogRewrittenWhileTheServerWasDownIsReportedAtStart) {
  Region region(1);
  {  // two logged operator reads
    auto store = Store::Open(region.store_url);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (int i = 0; i < 2; ++i) {
      auto read = (*store)->LookupWarranty(region.Serial(1), "cli:alice", Env::Default()->Now());
      ASSERT_TRUE(read.ok()) << read.status().ToString();
    }
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(region.dir.File("sg.db").c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, "UPDATE access_log SET actor = 'cli:nobody' WHERE seq = 1", nullptr,
                          nullptr, &err);
    std::string message = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }
  ServerProcess server(Serve(region, {"--retention-interval", "0"}));
  ASSERT_TRUE(server.started()) << server.output();
  std::string metrics = HttpCall(server.admin_port(), "GET", "/metrics").body;
  EXPECT_EQ(Sample(metrics, "homeport_access_log_chain_verified"), 0) << metrics;
  EXPECT_EQ(Sample(metrics, "homeport_retention_interval_seconds"), 0);
  EXPECT_EQ(Sample(metrics, "homeport_retention_last_run_timestamp_seconds"), 0);
  EXPECT_NE(server.log().find("hash chain does not verify"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace homeport::e2e
