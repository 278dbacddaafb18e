// Typed yaml-cpp readers with file:line error collection.
#include "schema/yaml_reader.h"

#include <charconv>
#include <set>

namespace homeport::schema {
namespace {

bool IsPlain(const YAML::Node& n) { return n.IsScalar() && n.Tag() == "?"; }

std::string KindOf(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "\"" + n.Scalar() + "\"";
    default:
      return "nothing";
  }
}

}  // namespace

void YamlErrors::Add(const YAML::Node& at, std::string_view what) { AddAtLine(LineOf(at), what); }

void YamlErrors::AddAtLine(int line, std::string_view what) {
  lines_.push_back(file_ + ":" + std::to_string(line) + ": " + std::string(what));
}

Status YamlErrors::ToStatus() const {
  if (lines_.empty()) return Status::Ok();
  std::string msg;
  for (const std::string& l : lines_) {
    if (!msg.empty()) msg += '\n';
    msg += l;
  }
  return Status::InvalidArgument(msg);
}

int YamlErrors::LineOf(const YAML::Node& n) {
  if (!n.IsDefined()) return 0;
  int line = n.Mark().line;
  return line < 0 ? 0 : line + 1;
}

std::optional<std::string> ReadString(const YAML::Node& n, std::string_view what, YamlErrors& e) {
  if (!n.IsScalar()) {
    e.Add(n, std::string(what) + " must be a string, not " + KindOf(n));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<std::string> ReadDescription(const YAML::Node& n, const std::string& who, YamlErrors& e) {
  auto s = ReadString(n, who + ": description", e);
  if (s && s->find_first_not_of(" \t\n") == std::string::npos) {
    e.Add(n, who + ": description is empty");
    return std::nullopt;
  }
  return s;
}

std::optional<bool> ReadBool(const YAML::Node& n, std::string_view what, YamlErrors& e) {
  if (IsPlain(n)) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  e.Add(n, std::string(what) + " must be true or false, not " + KindOf(n));
  return std::nullopt;
}

bool IsPlainInt(const YAML::Node& n) {
  if (!IsPlain(n)) return false;
  const std::string& s = n.Scalar();
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

std::optional<int64_t> ReadInt(const YAML::Node& n, std::string_view what, YamlErrors& e) {
  if (IsPlainInt(n)) {
    const std::string& s = n.Scalar();
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec == std::errc() && ptr == s.data() + s.size()) return v;
  }
  e.Add(n, std::string(what) + " must be an integer, not " + KindOf(n));
  return std::nullopt;
}

std::optional<double> ReadNumber(const YAML::Node& n, std::string_view what, YamlErrors& e) {
  if (IsPlain(n)) {
    const std::string& s = n.Scalar();
    const char* begin = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
    double v = 0;
    auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (!s.empty() && ec == std::errc() && ptr == s.data() + s.size()) return v;
  }
  e.Add(n, std::string(what) + " must be a number, not " + KindOf(n));
  return std::nullopt;
}

std::optional<std::vector<std::string>> ReadStringList(const YAML::Node& n, std::string_view what,
                                                       YamlErrors& e, size_t min_items) {
  if (!n.IsSequence()) {
    e.Add(n, std::string(what) + " must be a list, not " + KindOf(n));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const YAML::Node& item : n) {
    if (!item.IsScalar()) {
      e.Add(item, std::string(what) + " items must be strings, not " + KindOf(item));
      ok = false;
      continue;
    }
    out.push_back(item.Scalar());
  }
  if (ok && out.size() < min_items) {
    e.Add(n, std::string(what) + " must list at least " + std::to_string(min_items) +
                 (min_items == 1 ? " item" : " items"));
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  return out;
}

void CheckDuplicateKeys(const YAML::Node& n, std::string_view where, YamlErrors& e) {
  if (!n.IsMap()) return;
  std::set<std::string> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    if (!seen.insert(it->first.Scalar()).second) {
      e.Add(it->first, std::string(where) + ": duplicate key '" + it->first.Scalar() + "'");
    }
  }
}

bool IsSnakeCase(std::string_view s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool IsKebabCase(std::string_view s) {
  if (s.empty() || s.size() > 30 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool IsPrintableAscii(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < ' ' || c > '~') return false;
  }
  return true;
}

}  // namespace homeport::schema
