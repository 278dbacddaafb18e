// IdentifierScanner::ScanJson: walks a parsed JSON document, scanning each member name,
// string and number with the nearest member name as its context key.
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "privacy/identifier_scanner.h"

namespace homeport::privacy {
namespace {

using Json = nlohmann::json;

// Member names that say nothing without their parent's: {"cell": {"id": 1}}.
constexpr std::array<std::string_view, 7> kGenericNames = {"id",  "value", "val", "number",
                                                           "num", "no",    "code"};

bool IsGenericName(std::string_view name) {
  for (std::string_view g : kGenericNames) {
    if (name.size() != g.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      char c = name[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      same = c == g[i];
    }
    if (same) return true;
  }
  return false;
}

std::string MemberContext(const std::string& parent_context, const std::string& name) {
  if (!parent_context.empty() && IsGenericName(name)) return parent_context + "_" + name;
  return name;
}

// RFC 6901: "~" is written "~0" and "/" is written "~1" inside a reference token.
std::string PointerToken(const std::string& name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

struct Pending {
  const Json* value;
  std::string pointer;
  std::string context;             // the context key for `value`
  const std::string* member_name;  // set when `value` is an object member: scan the name too
  std::string parent_context;      // the context key for that member name
};

}  // namespace

std::vector<JsonFinding> IdentifierScanner::ScanJson(const nlohmann::json& doc) const {
  std::vector<JsonFinding> out;
  auto scan = [&](const std::string& text, const std::string& pointer, bool in_key,
                  const std::string& context) {
    for (Finding& f : Scan(text, context)) {
      std::string value = text.substr(f.offset, f.length);
      out.push_back({pointer, in_key, std::move(f), std::move(value)});
    }
  };
  // An explicit stack: documents from the network may nest deeper than the call stack allows.
  std::vector<Pending> stack;
  stack.push_back({&doc, "", "", nullptr, ""});
  while (!stack.empty()) {
    Pending item = std::move(stack.back());
    stack.pop_back();
    if (item.member_name != nullptr) {
      scan(*item.member_name, item.pointer, /*in_key=*/true, item.parent_context);
    }
    const Json& v = *item.value;
    if (v.is_object()) {
      // Pushed in reverse so that findings come out in document order.
      std::vector<Pending> members;
      for (auto it = v.begin(); it != v.end(); ++it) {
        members.push_back({&it.value(), item.pointer + "/" + PointerToken(it.key()),
                           MemberContext(item.context, it.key()), &it.key(), item.context});
      }
      for (auto m = members.rbegin(); m != members.rend(); ++m) stack.push_back(std::move(*m));
    } else if (v.is_array()) {
      for (size_t i = v.size(); i-- > 0;) {
        stack.push_back({&v[i], item.pointer + "/" + std::to_string(i), item.context, nullptr, ""});
      }
    } else if (v.is_string()) {
      scan(v.get_ref<const std::string&>(), item.pointer, false, item.context);
    } else if (v.is_number()) {
      scan(v.dump(), item.pointer, false, item.context);
    }
  }
  return out;
}

}  // namespace homeport::privacy
