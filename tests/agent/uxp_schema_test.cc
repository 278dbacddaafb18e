// The agent's compiled-in metric and ping table against the schema the server validates with
// (schemas/homeport-agent/metrics.yaml and pings.yaml): same metrics, types, pings, units, labels,
// event extras and ping reasons. Read with a small indentation-based YAML reader that covers
// what Glean's files use (maps, lists of scalars, block scalars, comments).
#include "agent/uxp_schema.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "homeport/env.h"

namespace homeport {
namespace {

struct YamlNode {
  std::string scalar;
  std::vector<std::pair<std::string, YamlNode>> map;  // in file order
  std::vector<YamlNode> list;

  const YamlNode* Find(const std::string& key) const {
    for (const auto& [k, v] : map) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  std::vector<std::string> Scalars() const {
    std::vector<std::string> out;
    for (const YamlNode& n : list) out.push_back(n.scalar);
    return out;
  }
};

class MiniYaml {
 public:
  explicit MiniYaml(const std::string& text) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines_.push_back(line);
  }

  YamlNode Parse() {
    Skip();
    return i_ < lines_.size() ? Block(Indent(lines_[i_])) : YamlNode{};
  }
  const std::string& error() const { return error_; }

 private:
  static size_t Indent(const std::string& l) { return l.find_first_not_of(' '); }
  static std::string Trim(std::string s) {
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t\r") + 1);
    if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
      s = s.substr(1, s.size() - 2);
    }
    return s;
  }
  // Past blank lines, comments and document markers.
  void Skip() {
    while (i_ < lines_.size()) {
      const std::string& l = lines_[i_];
      size_t at = Indent(l);
      if (at != std::string::npos && l[at] != '#' && l.rfind("---", 0) != 0) return;
      ++i_;
    }
  }
  void Fail(const std::string& what) {
    if (error_.empty()) error_ = "line " + std::to_string(i_ + 1) + ": " + what;
    i_ = lines_.size();
  }

  YamlNode Block(size_t indent) {
    YamlNode node;
    const bool is_list = lines_[i_].compare(indent, 2, "- ") == 0;
    while (true) {
      Skip();
      if (i_ >= lines_.size() || Indent(lines_[i_]) != indent) break;
      std::string text = lines_[i_].substr(indent);
      if (is_list) {
        if (text.rfind("- ", 0) != 0) break;
        std::string item = Trim(text.substr(2));
        if (item.find(": ") != std::string::npos || item.back() == ':') {
          Fail("lists of maps are not supported");
          break;
        }
        node.list.push_back(YamlNode{item, {}, {}});
        ++i_;
        continue;
      }
      size_t colon = text.find(':');
      if (colon == std::string::npos) {
        Fail("expected key: value");
        break;
      }
      std::string key = Trim(text.substr(0, colon));
      std::string value = Trim(text.substr(colon + 1));
      ++i_;
      YamlNode child;
      if (value == "|" || value == ">" || value == "|-" || value == ">-") {
        while (i_ < lines_.size() &&
               (Indent(lines_[i_]) == std::string::npos || Indent(lines_[i_]) > indent)) {
          child.scalar += Trim(lines_[i_]) + "\n";
          ++i_;
        }
      } else if (!value.empty()) {
        child.scalar = value;
      } else {
        Skip();
        if (i_ < lines_.size()) {
          size_t next = Indent(lines_[i_]);
          if (next > indent || (next == indent && lines_[i_].compare(next, 2, "- ") == 0)) {
            child = Block(next);
          }
        }
      }
      node.map.emplace_back(key, std::move(child));
    }
    return node;
  }

  std::vector<std::string> lines_;
  size_t i_ = 0;
  std::string error_;
};

YamlNode LoadSchemaFile(const std::string& name) {
  const std::string path = std::string(HOMEPORT_SOURCE_DIR) + "/schemas/homeport-agent/" + name;
  auto text = Env::Default()->ReadFile(path);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  if (!text.ok()) return {};
  MiniYaml yaml(*text);
  YamlNode root = yaml.Parse();
  EXPECT_EQ(yaml.error(), "") << path;
  return root;
}

TEST(UxpSchema, MiniYamlReadsNestedMapsListsAndBlockScalars) {
  MiniYaml yaml(
      "# comment\n---\n$schema: x\ncat:\n  m:\n    type: counter\n    description: |\n"
      "      two: lines\n\n      - here\n    send_in_pings:\n      - a\n      - 'b'\n"
      "    extra_keys:\n      k:\n        type: boolean\n");
  YamlNode root = yaml.Parse();
  ASSERT_EQ(yaml.error(), "");
  ASSERT_EQ(root.map.size(), 2u);
  const YamlNode* m = root.Find("cat")->Find("m");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->Find("type")->scalar, "counter");
  EXPECT_EQ(m->Find("send_in_pings")->Scalars(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(m->Find("extra_keys")->Find("k")->Find("type")->scalar, "boolean");
}

TEST(UxpSchema, CompiledMetricsMatchMetricsYaml) {
  YamlNode root = LoadSchemaFile("metrics.yaml");
  std::vector<std::string> in_yaml;
  for (const auto& [category, metrics] : root.map) {
    if (category == "$schema" || category == "no_lint") continue;
    for (const auto& [name, def] : metrics.map) {
      const std::string full = category + "." + name;
      in_yaml.push_back(full);
      SCOPED_TRACE(full);
      const agent::UxpMetric* m = agent::FindUxpMetric(full);
      ASSERT_NE(m, nullptr) << "declared in metrics.yaml but unknown to the agent";
      ASSERT_NE(def.Find("type"), nullptr);
      EXPECT_EQ(agent::MetricTypeName(m->type), def.Find("type")->scalar);
      ASSERT_NE(def.Find("send_in_pings"), nullptr);
      EXPECT_EQ(m->send_in_pings, def.Find("send_in_pings")->Scalars());
      const YamlNode* unit = def.Find("time_unit");
      if (m->type == agent::UxpMetricType::kTimespan) {
        // Glean's default time unit for a timespan is the millisecond.
        EXPECT_EQ(m->time_unit, unit != nullptr ? unit->scalar : "millisecond");
      }
      const YamlNode* labels = def.Find("labels");
      EXPECT_EQ(m->labels, labels != nullptr ? labels->Scalars() : std::vector<std::string>{});
      std::vector<std::pair<std::string, std::string>> extras_yaml, extras_agent;
      if (const YamlNode* extras = def.Find("extra_keys")) {
        for (const auto& [key, extra] : extras->map) {
          const YamlNode* type = extra.Find("type");
          extras_yaml.emplace_back(key, type != nullptr ? type->scalar : "string");
        }
      }
      for (const auto& e : m->extra_keys) {
        extras_agent.emplace_back(e.name, std::string(agent::MetricTypeName(e.type)));
      }
      EXPECT_EQ(extras_agent, extras_yaml);
    }
  }
  std::vector<std::string> in_agent;
  for (const auto& m : agent::UxpMetrics()) in_agent.push_back(m.full_name());
  EXPECT_EQ(in_agent, in_yaml) << "the agent's table must list exactly the declared metrics";
}

TEST(UxpSchema, CompiledPingsMatchPingsYaml) {
  YamlNode root = LoadSchemaFile("pings.yaml");
  std::vector<std::string> in_yaml;
  for (const auto& [name, def] : root.map) {
    if (name == "$schema" || name == "no_lint") continue;
    in_yaml.push_back(name);
    SCOPED_TRACE(name);
    const agent::UxpPing* ping = nullptr;
    for (const auto& p : agent::UxpPings()) {
      if (p.name == name) ping = &p;
    }
    ASSERT_NE(ping, nullptr) << "declared in pings.yaml but unknown to the agent";
    ASSERT_NE(def.Find("include_client_id"), nullptr);
    EXPECT_EQ(ping->include_client_id, def.Find("include_client_id")->scalar == "true");
    std::vector<std::string> reasons;
    if (const YamlNode* r = def.Find("reasons")) {
      for (const auto& [reason, description] : r->map) reasons.push_back(reason);
    }
    EXPECT_EQ(ping->reasons, reasons);
  }
  std::vector<std::string> in_agent;
  for (const auto& p : agent::UxpPings()) in_agent.push_back(p.name);
  EXPECT_EQ(in_agent, in_yaml);
}

TEST(UxpSchema, EveryMetricIsSentInADeclaredPing) {
  for (const auto& m : agent::UxpMetrics()) {
    for (const auto& ping : m.send_in_pings) {
      bool declared = false;
      for (const auto& p : agent::UxpPings()) declared = declared || p.name == ping;
      EXPECT_TRUE(declared) << m.full_name() << " is sent in undeclared ping " << ping;
    }
  }
}

}  // namespace
}  // namespace homeport
