// Peeling layers: each layer is tried only when the text has its shape (JSON starts with '{'
// or '[', Base64 is one run of its alphabet, a form is name=value pairs), and decoded text is
// looked at again, a few levels deep at most.
#include "audit/capture/payload_scan.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "crypto/base64.h"

namespace homeport::audit::capture {
namespace {

constexpr int kMaxDepth = 4;
constexpr size_t kMinBase64 = 12;
// Naming every value of a JSON document by its pointer costs the sum of the pointers'
// lengths, which a hostile document makes quadratic in its size (a value nested 100,000 deep,
// or 100,000 values under one 200 KB member name: 48 s for 240 KB). Past this many bytes of
// pointers for each byte of the document, it is read as text instead.
constexpr size_t kPointerBytesPerByte = 32;
constexpr size_t kPointerBytesAllowance = 1 << 20;

void Scan(const privacy::IdentifierScanner& scanner, std::string_view text,
          const std::string& where, const std::string& key, int depth,
          std::vector<PayloadFinding>* out);

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Length of the UTF-8 sequence starting at `s[i]`, or 0 when it is not valid UTF-8.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  const size_t n = lead < 0x80           ? 1
                   : (lead >> 5) == 0x6  ? 2
                   : (lead >> 4) == 0xE  ? 3
                   : (lead >> 3) == 0x1E ? 4
                                         : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

// Decoded bytes worth scanning as text: valid UTF-8, almost all of it printable.
bool MostlyText(std::string_view s) {
  size_t printable = 0;
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8Length(s, i);
    if (n == 0) return false;
    const auto c = static_cast<unsigned char>(s[i]);
    if (n > 1 || (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\r' || c == '\t') printable += n;
    i += n;
  }
  return !s.empty() && printable * 10 >= s.size() * 9;
}

// Base64 in either alphabet, padded or not, line breaks allowed; decoded only if text.
bool DecodeBase64(std::string_view s, std::string* out) {
  // A number is a number: digits alone are valid Base64 but never meant as such.
  if (s.size() < kMinBase64 || s.find_first_not_of("0123456789") == std::string_view::npos) {
    return false;
  }
  std::string compact;
  compact.reserve(s.size());
  bool url = false, standard = false;
  for (char c : s) {
    if (c == '\r' || c == '\n') continue;
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '=') {
    } else if (c == '+' || c == '/') {
      standard = true;
    } else if (c == '-' || c == '_') {
      url = true;
    } else {
      return false;
    }
    compact.push_back(c);
  }
  if (url && standard) return false;
  if (url) {
    while (!compact.empty() && compact.back() == '=') compact.pop_back();
    auto r = crypto::Base64UrlDecode(compact);
    if (!r.ok()) return false;
    *out = std::move(*r);
  } else {
    auto r = crypto::Base64Decode(compact);
    if (!r.ok()) return false;
    *out = std::move(*r);
  }
  return MostlyText(*out);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool LooksLikeForm(std::string_view s) {
  if (s.find('=') == std::string_view::npos) return false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '{' || c == '"' || c == '<') {
      return false;
    }
  }
  return true;
}

void ScanForm(const privacy::IdentifierScanner& scanner, std::string_view form,
              const std::string& where, int depth, std::vector<PayloadFinding>* out) {
  while (!form.empty()) {
    const size_t amp = form.find('&');
    std::string_view pair = form.substr(0, amp);
    form = amp == std::string_view::npos ? std::string_view() : form.substr(amp + 1);
    const size_t eq = pair.find('=');
    const std::string name = UrlDecode(pair.substr(0, eq));
    const std::string value = eq == std::string_view::npos ? "" : UrlDecode(pair.substr(eq + 1));
    if (!value.empty()) Scan(scanner, value, where + " " + name, name, depth + 1, out);
  }
}

// The strings in `doc` long enough to be Base64 or JSON text, with their JSON pointers, in the
// order json::flatten() would list them (by pointer) but without the flat copy of the whole
// document that flatten() builds. An explicit stack: documents from the network may nest
// deeper than the call stack allows.
std::vector<std::pair<std::string, const std::string*>> LongStrings(const nlohmann::json& doc) {
  std::vector<std::pair<std::string, const std::string*>> out;
  std::vector<std::pair<const nlohmann::json*, std::string>> containers;
  const auto visit = [&](const nlohmann::json& value, std::string pointer) {
    if (value.is_string()) {
      const std::string& s = value.get_ref<const std::string&>();
      if (s.size() >= kMinBase64) out.emplace_back(std::move(pointer), &s);
    } else if (value.is_structured()) {
      containers.emplace_back(&value, std::move(pointer));
    }
  };
  visit(doc, "");
  while (!containers.empty()) {
    auto [container, pointer] = std::move(containers.back());
    containers.pop_back();
    if (container->is_object()) {
      for (auto it = container->begin(); it != container->end(); ++it) {
        std::string child = pointer + "/";
        AppendJsonPointerToken(child, it.key());
        visit(it.value(), std::move(child));
      }
    } else {
      for (size_t i = 0; i < container->size(); ++i) {
        visit((*container)[i], pointer + "/" + std::to_string(i));
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// What naming each value of `doc` by its JSON pointer costs: the sum of the pointers'
// lengths, counted without building them, and only until it passes `budget`.
size_t PointerBytes(const nlohmann::json& doc, size_t budget) {
  std::vector<std::pair<const nlohmann::json*, size_t>> stack = {{&doc, 0}};
  size_t total = 0;
  while (!stack.empty() && total <= budget) {
    const auto [value, length] = stack.back();
    stack.pop_back();
    total += length;
    if (value->is_object()) {
      for (auto it = value->begin(); it != value->end(); ++it) {
        stack.emplace_back(&it.value(), length + 1 + it.key().size());
      }
    } else if (value->is_array()) {
      for (size_t i = 0; i < value->size(); ++i) {
        stack.emplace_back(&(*value)[i], length + 1 + std::to_string(i).size());
      }
    }
  }
  return total;
}

void ScanJsonDocument(const privacy::IdentifierScanner& scanner, const nlohmann::json& doc,
                      std::string_view text, const std::string& where, int depth,
                      std::vector<PayloadFinding>* out);

// A document too costly to name value by value: its text is scanned (the detectors read the
// quoted keys beside the values), and its strings are still opened when they hold Base64 or
// JSON, named by where they were found rather than by pointer.
void ScanJsonAsText(const privacy::IdentifierScanner& scanner, const nlohmann::json& doc,
                    std::string_view text, const std::string& where, int depth,
                    std::vector<PayloadFinding>* out) {
  const std::string as_text = where + " (as text)";
  for (const auto& f : scanner.Scan(text)) {
    out->push_back(
        {f.kind, f.context_key, as_text, std::string(text.substr(f.offset, f.length))});
  }
  if (depth >= kMaxDepth) return;
  std::vector<const nlohmann::json*> stack = {&doc};
  while (!stack.empty()) {
    const nlohmann::json* value = stack.back();
    stack.pop_back();
    if (value->is_structured()) {
      for (const auto& child : *value) stack.push_back(&child);
      continue;
    }
    if (!value->is_string()) continue;
    const std::string& s = value->get_ref<const std::string&>();
    if (s.size() < kMinBase64) continue;
    std::string decoded;
    if (DecodeBase64(s, &decoded)) {
      Scan(scanner, decoded, as_text + " › base64", {}, depth + 1, out);
    } else if (s.front() == '{' || s.front() == '[') {
      auto inner = nlohmann::json::parse(s, nullptr, false);
      if (!inner.is_discarded()) {
        ScanJsonDocument(scanner, inner, s, as_text + " › json", depth + 1, out);
      }
    }
  }
}

void ScanJsonDocument(const privacy::IdentifierScanner& scanner, const nlohmann::json& doc,
                      std::string_view text, const std::string& where, int depth,
                      std::vector<PayloadFinding>* out) {
  const size_t budget = kPointerBytesPerByte * text.size() + kPointerBytesAllowance;
  if (PointerBytes(doc, budget) > budget) {
    ScanJsonAsText(scanner, doc, text, where, depth, out);
    return;
  }
  for (const auto& f : scanner.ScanJson(doc)) {
    std::string key = f.finding.context_key;
    const size_t slash = f.pointer.rfind('/');
    if (slash != std::string::npos && slash + 1 < f.pointer.size()) {
      const std::string last = f.pointer.substr(slash + 1);
      if (last.find_first_not_of("0123456789") != std::string::npos) key = last;
    }
    out->push_back(
        {f.finding.kind, key, where + " " + (f.pointer.empty() ? "/" : f.pointer), f.value});
  }
  // String members may themselves be Base64 or JSON text: look inside those too.
  if (depth >= kMaxDepth) return;
  for (const auto& [pointer, text] : LongStrings(doc)) {
    const std::string& s = *text;
    const size_t slash = pointer.rfind('/');
    const std::string key = slash == std::string::npos ? "" : pointer.substr(slash + 1);
    std::string decoded;
    if (DecodeBase64(s, &decoded)) {
      Scan(scanner, decoded, where + " " + pointer + " › base64", key, depth + 1, out);
    } else if (s.front() == '{' || s.front() == '[') {
      auto inner = nlohmann::json::parse(s, nullptr, false);
      if (!inner.is_discarded()) {
        ScanJsonDocument(scanner, inner, s, where + " " + pointer + " › json", depth + 1, out);
      }
    }
  }
}

void Scan(const privacy::IdentifierScanner& scanner, std::string_view text,
          const std::string& where, const std::string& key, int depth,
          std::vector<PayloadFinding>* out) {
  const std::string_view t = Trim(text);
  if (t.empty()) return;
  if (depth < kMaxDepth && (t.front() == '{' || t.front() == '[')) {
    auto doc = nlohmann::json::parse(t, nullptr, false);
    if (!doc.is_discarded()) {
      ScanJsonDocument(scanner, doc, t, where + " › json", depth, out);
      return;
    }
  }
  std::string decoded;
  if (depth < kMaxDepth && DecodeBase64(t, &decoded)) {
    Scan(scanner, decoded, where + " › base64", key, depth + 1, out);
    return;
  }
  if (depth < kMaxDepth && LooksLikeForm(t)) {
    ScanForm(scanner, t, where + " › form", depth, out);
    return;
  }
  for (const auto& f : scanner.Scan(t, key)) {
    out->push_back({f.kind, f.context_key.empty() ? key : f.context_key, where,
                    std::string(t.substr(f.offset, f.length))});
  }
}

}  // namespace

std::vector<PayloadFinding> ScanPayload(const privacy::IdentifierScanner& scanner,
                                        std::string_view text, const std::string& where,
                                        const std::string& key) {
  std::vector<PayloadFinding> out;
  Scan(scanner, text, where, key, 0, &out);
  return out;
}

std::vector<PayloadFinding> ScanHttpRequest(const privacy::IdentifierScanner& scanner,
                                            const HttpRequest& request) {
  std::vector<PayloadFinding> out;
  std::string_view target = request.target;
  const size_t q = target.find('?');
  const std::string path = UrlDecode(target.substr(0, q));
  for (const auto& f : scanner.Scan(path)) {
    out.push_back({f.kind, f.context_key, "path", path.substr(f.offset, f.length)});
  }
  if (q != std::string_view::npos) ScanForm(scanner, target.substr(q + 1), "query", 0, &out);
  for (const auto& [name, value] : request.headers) {
    const std::string lower = AsciiLower(name);
    if (lower == "host") continue;
    Scan(scanner, value, "header " + name, lower, 0, &out);
  }
  if (!request.body.empty()) Scan(scanner, request.body, "body", {}, 0, &out);
  return out;
}

}  // namespace homeport::audit::capture
