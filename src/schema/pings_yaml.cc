// Reading pings.yaml (moz://mozilla.org/schemas/glean/pings/2-0-0) and the `metadata` mapping
// that metrics and pings share, where homeport's `retention_days` lives.
#include <array>
#include <set>

#include "schema/builtin_pings.h"
#include "schema/yaml_sections.h"

namespace homeport::schema {
namespace {

constexpr std::array<std::string_view, 11> kPingKeys = {"description",
                                                        "metadata",
                                                        "include_client_id",
                                                        "send_if_empty",
                                                        "notification_emails",
                                                        "bugs",
                                                        "data_reviews",
                                                        "reasons",
                                                        "enabled",
                                                        "no_lint",
                                                        "uploader_capabilities"};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& keys, std::string_view k) {
  for (std::string_view key : keys) {
    if (key == k) return true;
  }
  return false;
}

bool LooksLikeEmail(std::string_view s) {
  size_t at = s.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < s.size();
}

bool LooksLikeUri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
  }
  return true;
}

}  // namespace

// Shared with metrics_yaml.cc through these two checks of owner lists.
void CheckEmails(const YAML::Node& n, std::string_view owner, YamlErrors& e) {
  auto list = ReadStringList(n, std::string(owner) + ": notification_emails", e, 1);
  if (!list) return;
  for (const std::string& s : *list) {
    if (!LooksLikeEmail(s)) e.Add(n, std::string(owner) + ": '" + s + "' is not an e-mail address");
  }
}

void CheckUris(const YAML::Node& n, std::string_view owner, std::string_view key, size_t min,
               YamlErrors& e) {
  auto list = ReadStringList(n, std::string(owner) + ": " + std::string(key), e, min);
  if (!list) return;
  for (const std::string& s : *list) {
    if (!LooksLikeUri(s)) {
      e.Add(n, std::string(owner) + ": " + std::string(key) + " entry '" + s + "' is not a URL");
    }
  }
}

void CheckSchemaId(const YAML::Node& root, std::string_view expected, YamlErrors& e) {
  const YAML::Node id = root["$schema"];
  if (!id) {
    e.AddAtLine(1, "missing $schema (expected " + std::string(expected) + ")");
    return;
  }
  auto s = ReadString(id, "$schema", e);
  if (s && *s != expected) {
    e.Add(id, "$schema is '" + *s + "', expected " + std::string(expected));
  }
  if (const YAML::Node nl = root["no_lint"]) ReadStringList(nl, "no_lint", e);
}

void ReadMetadata(const YAML::Node& n, bool for_ping, std::string_view owner, YamlErrors& e,
                  MetadataValues& out) {
  std::string who(owner);
  if (!n.IsMap()) {
    e.Add(n, who + ": metadata must be a mapping");
    return;
  }
  CheckDuplicateKeys(n, who + ": metadata", e);
  for (auto it = n.begin(); it != n.end(); ++it) {
    const std::string key = it->first.Scalar();
    const YAML::Node v = it->second;
    if (key == "tags") {
      if (auto tags = ReadStringList(v, who + ": metadata.tags", e)) {
        for (const std::string& t : *tags) {
          if (t.size() > 80) e.Add(v, who + ": tag '" + t + "' is longer than 80 characters");
        }
        out.tags.insert(out.tags.end(), tags->begin(), tags->end());
      }
    } else if (key == "retention_days") {
      auto days = ReadInt(v, who + ": metadata.retention_days", e);
      if (days && (*days < 1 || *days > kMaxRetentionDays)) {
        e.Add(v, who + ": metadata.retention_days must be between 1 and " +
                     std::to_string(kMaxRetentionDays) + " days");
      } else if (days) {
        out.retention_days = static_cast<int>(*days);
      }
    } else if (for_ping && key == "include_info_sections") {
      if (auto b = ReadBool(v, who + ": metadata.include_info_sections", e)) {
        out.include_info_sections = *b;
      }
    } else if (for_ping && (key == "precise_timestamps" || key == "follows_collection_enabled")) {
      ReadBool(v, who + ": metadata." + key, e);
    } else if (for_ping && (key == "ping_schedule" || key == "included_info_sections")) {
      ReadStringList(v, who + ": metadata." + key, e);
    } else {
      // Glean leaves metadata open, but a misspelt retention_days would silently keep data
      // for the default period: refuse what neither Glean nor homeport defines.
      e.Add(it->first, who + ": unknown metadata key '" + key + "' (allowed: tags, retention_days" +
                           (for_ping ? ", precise_timestamps, include_info_sections, "
                                       "included_info_sections, follows_collection_enabled, "
                                       "ping_schedule)"
                                     : ")"));
    }
  }
}

void ReadPingsYaml(const YAML::Node& root, YamlErrors& e, AppSchema& app) {
  if (!root.IsMap()) {
    e.Add(root, "a pings.yaml must be a mapping of ping names to definitions");
    return;
  }
  CheckDuplicateKeys(root, "pings.yaml", e);
  CheckSchemaId(root, kPingsSchemaId, e);
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string name = it->first.Scalar();
    if (name == "$schema" || name == "no_lint") continue;
    const YAML::Node body = it->second;
    const std::string who = "ping '" + name + "'";
    if (!IsKebabCase(name)) {
      e.Add(it->first, who + ": name must be kebab-case (a-z, 0-9, '-'; at most 30 characters)");
      continue;
    }
    if (IsReservedPingName(name)) {
      e.Add(it->first, who + ": the name is reserved for Glean's built-in pings");
      continue;
    }
    if (!body.IsMap()) {
      e.Add(body.IsNull() ? it->first : body, who + ": must be a mapping of ping parameters");
      continue;
    }
    CheckDuplicateKeys(body, who, e);
    PingDefinition p;
    p.name = name;
    p.source = {e.file(), YamlErrors::LineOf(it->first)};
    std::set<std::string> seen;
    for (auto kv = body.begin(); kv != body.end(); ++kv) {
      const std::string key = kv->first.Scalar();
      const YAML::Node v = kv->second;
      seen.insert(key);
      if (!Contains(kPingKeys, key)) {
        e.Add(kv->first, who + ": unknown key '" + key + "'");
      } else if (key == "description") {
        if (auto d = ReadDescription(v, who, e)) p.description = *d;
      } else if (key == "metadata") {
        MetadataValues meta;
        ReadMetadata(v, true, who, e, meta);
        p.retention_days = meta.retention_days;
        p.include_info_sections = meta.include_info_sections;
      } else if (key == "include_client_id") {
        if (auto b = ReadBool(v, who + ": include_client_id", e)) p.include_client_id = *b;
      } else if (key == "send_if_empty") {
        if (auto b = ReadBool(v, who + ": send_if_empty", e)) p.send_if_empty = *b;
      } else if (key == "enabled") {
        ReadBool(v, who + ": enabled", e);
      } else if (key == "notification_emails") {
        CheckEmails(v, who, e);
      } else if (key == "bugs") {
        CheckUris(v, who, "bugs", 1, e);
      } else if (key == "data_reviews") {
        CheckUris(v, who, "data_reviews", 0, e);
      } else if (key == "no_lint" || key == "uploader_capabilities") {
        ReadStringList(v, who + ": " + key, e);
      } else if (key == "reasons") {
        if (!v.IsMap()) {
          e.Add(v, who + ": reasons must be a mapping of reason codes to descriptions");
          continue;
        }
        CheckDuplicateKeys(v, who + ": reasons", e);
        for (auto r = v.begin(); r != v.end(); ++r) {
          const std::string code = r->first.Scalar();
          if (code.empty() || code.size() > 30) {
            e.Add(r->first, who + ": reason code '" + code + "' must have 1 to 30 characters");
          }
          if (auto d = ReadString(r->second, who + ": reason '" + code + "'", e)) {
            p.reasons[code] = *d;
          }
        }
      }
    }
    for (std::string_view req :
         {"description", "include_client_id", "bugs", "notification_emails", "data_reviews"}) {
      if (!seen.count(std::string(req))) {
        e.Add(it->first, who + ": missing required key '" + std::string(req) + "'");
      }
    }
    app.pings.emplace(name, std::move(p));
  }
}

}  // namespace homeport::schema
