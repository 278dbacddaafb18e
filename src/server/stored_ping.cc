// MakeStoredPing: a recursive copy of the parsed document that scrubs on the way. The depth is
// bounded by validation (every nesting level of a valid ping is one Glean defines).
#include "server/stored_ping.h"

#include <algorithm>
#include <charconv>
#include <type_traits>
#include <vector>

#include "schema/glean_datetime.h"

namespace homeport {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

void AppendEscaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      switch (c) {
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
      }
    } else {
      out += c;
    }
  }
  out += '"';
}

template <typename N>
void AppendNumber(std::string& out, N n) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  std::string_view text(buf, ec == std::errc() ? static_cast<size_t>(end - buf) : 0);
  out += text;
  // A fraction stays a fraction: "2.0" must not come back as the integer 2.
  if constexpr (std::is_floating_point_v<N>) {
    if (text.find_first_of(".eEn") == std::string_view::npos) out += ".0";
  }
}

class StoredPingWriter {
 public:
  StoredPingWriter(const schema::StoredForm& form, const privacy::IdentifierScanner& scanner)
      : form_(form), scanner_(scanner) {}

  StoredPing Finish(element payload) {
    Value(payload, "");
    return {std::move(out_), std::move(replaced_)};
  }

 private:
  std::string Scrubbed(std::string_view text, std::string_view context) {
    privacy::ScrubResult s = scanner_.Scrub(text, context);
    for (const auto& [kind, n] : s.replaced) replaced_[kind] += n;
    return s.replaced.empty() ? std::string(text) : std::move(s.text);
  }

  void PushToken(std::string_view token) {
    pointer_ += '/';
    pointer_ += schema::JsonPointerToken(token);
  }

  void Value(element v, std::string_view context) {
    switch (v.type()) {
      case element_type::OBJECT: {
        simdjson::dom::object obj;
        if (v.get_object().get(obj) == simdjson::SUCCESS) Object(obj, context);
        return;
      }
      case element_type::ARRAY: {
        simdjson::dom::array arr;
        if (v.get_array().get(arr) != simdjson::SUCCESS) return;
        out_ += '[';
        size_t i = 0;
        for (element item : arr) {
          if (i > 0) out_ += ',';
          const size_t mark = pointer_.size();
          PushToken(std::to_string(i++));
          Value(item, context);
          pointer_.resize(mark);
        }
        out_ += ']';
        return;
      }
      case element_type::STRING: {
        std::string_view s;
        if (v.get_string().get(s) == simdjson::SUCCESS) String(s, context);
        return;
      }
      case element_type::INT64: {
        int64_t n = 0;
        if (v.get_int64().get(n) == simdjson::SUCCESS) AppendNumber(out_, n);
        return;
      }
      case element_type::UINT64: {
        uint64_t n = 0;
        if (v.get_uint64().get(n) == simdjson::SUCCESS) AppendNumber(out_, n);
        return;
      }
      case element_type::DOUBLE: {
        double n = 0;
        if (v.get_double().get(n) == simdjson::SUCCESS) AppendNumber(out_, n);
        return;
      }
      case element_type::BOOL: {
        bool b = false;
        if (v.get_bool().get(b) == simdjson::SUCCESS) out_ += b ? "true" : "false";
        return;
      }
      case element_type::NULL_VALUE:
        out_ += "null";
        return;
    }
  }

  void Object(simdjson::dom::object obj, std::string_view context) {
    const bool closed = form_.closed_objects.count(pointer_) > 0;
    std::vector<std::string> names;  // of an open object: the names written so far
    out_ += '{';
    bool first = true;
    for (auto [key, value] : obj) {
      if (!first) out_ += ',';
      first = false;
      const size_t mark = pointer_.size();
      PushToken(key);
      if (closed) {
        AppendEscaped(out_, key);
      } else {
        // Two labels scrubbing to the same tag must not overwrite each other.
        std::string name = Scrubbed(key, context);
        const std::string base = name;
        for (int n = 2; std::find(names.begin(), names.end(), name) != names.end(); ++n) {
          name = base + "#" + std::to_string(n);
        }
        AppendEscaped(out_, name);
        names.push_back(std::move(name));
      }
      out_ += ':';
      Value(value, key);
      pointer_.resize(mark);
    }
    out_ += '}';
  }

  void String(std::string_view s, std::string_view context) {
    if (form_.verbatim_values.count(pointer_) == 0)
      return AppendEscaped(out_, Scrubbed(s, context));
    if (std::find(form_.day_times.begin(), form_.day_times.end(), pointer_) !=
        form_.day_times.end()) {
      if (Result<std::string> day = schema::GleanDatetimeAtDay(s); day.ok()) {
        return AppendEscaped(out_, *day);
      }
    }
    if (std::find(form_.day_millis.begin(), form_.day_millis.end(), pointer_) !=
        form_.day_millis.end()) {
      constexpr uint64_t kDayMs = 86'400'000;
      uint64_t ms = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), ms);
      if (ec == std::errc() && end == s.data() + s.size()) {
        return AppendEscaped(out_, std::to_string(ms - ms % kDayMs));
      }
      return AppendEscaped(out_, Scrubbed(s, context));
    }
    AppendEscaped(out_, s);
  }

  const schema::StoredForm& form_;
  const privacy::IdentifierScanner& scanner_;
  std::string out_;
  std::string pointer_;
  std::map<privacy::IdentifierKind, int> replaced_;
};

}  // namespace

StoredPing MakeStoredPing(element payload, const schema::StoredForm& form,
                          const privacy::IdentifierScanner& scanner) {
  return StoredPingWriter(form, scanner).Finish(payload);
}

}  // namespace homeport
