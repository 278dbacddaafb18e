// Candidates are runs of base64url segments joined by dots. A cheap test on each segment's
// first four characters (do they decode to a JSON object's start?) keeps the full decode for
// the few that can be headers. The header is decoded here rather than through
// crypto::PeekHeader, which refuses any alg but EdDSA: a forged manifest with "alg": "none"
// must be reported, not overlooked.
#include "audit/build/manifest_finder.h"

#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "privacy/ascii.h"
#include "provisioning/region_manifest.h"

namespace homeport::audit::build {
namespace {

constexpr std::string_view kManifestType = "homeport-manifest+jws";

bool IsBase64UrlChar(char c) { return privacy::IsAlnum(c) || c == '-' || c == '_'; }

std::optional<nlohmann::json> DecodeJson(std::string_view b64) {
  auto raw = crypto::Base64UrlDecode(b64);
  if (!raw.ok()) return std::nullopt;
  auto j = nlohmann::json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  return j;
}

std::string StringField(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// What an unverified manifest claims; every field optional and type-checked, since the
// payload may be anything.
RegionManifest Claims(const nlohmann::json& j) {
  RegionManifest m;
  m.region = StringField(j, "region");
  m.activation_url = StringField(j, "activation_url");
  m.uxp_url = StringField(j, "uxp_url");
  m.issued_at = StringField(j, "issued_at");
  if (auto v = j.find("variants"); v != j.end() && v->is_array()) {
    for (const auto& item : *v) {
      if (item.is_string()) m.variants.push_back(item.get<std::string>());
    }
  }
  if (auto v = j.find("version"); v != j.end() && v->is_number_integer()) {
    m.version = v->get<int64_t>();
  }
  return m;
}

// Whether a base64url segment can encode a JSON object: its first bytes, past JSON white space
// (and a byte-order mark, which a JSON reader may skip), are "{". Four characters decode to
// three bytes, enough to see "{" after up to two white-space bytes; longer white-space
// prefixes are decoded whole.
bool MayBeJsonObject(std::string_view segment) {
  if (segment.size() < 4) return false;
  auto head = crypto::Base64UrlDecode(segment.substr(0, 4));
  if (!head.ok()) return false;
  std::string_view bytes = *head;
  std::string whole;
  if (bytes.find_first_not_of(" \t\r\n") == std::string_view::npos ||
      bytes.starts_with("\xEF")) {
    auto decoded = crypto::Base64UrlDecode(segment.substr(0, segment.size() & ~size_t{3}));
    if (!decoded.ok()) return false;
    whole = std::move(*decoded);
    bytes = whole;
    if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  }
  const size_t first = bytes.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && bytes[first] == '{';
}

// The manifest at `token` (header.payload.signature), or nullopt when its header is not a
// homeport manifest's.
std::optional<FoundManifest> ReadCandidate(std::string_view token, const crypto::PublicKey& root) {
  const size_t first_dot = token.find('.');
  auto header = DecodeJson(token.substr(0, first_dot));
  if (!header || StringField(*header, "typ") != kManifestType) return std::nullopt;
  FoundManifest m;
  m.token = std::string(token);
  m.kid = StringField(*header, "kid");
  auto verified = VerifyManifest(token, root);
  if (verified.ok()) {
    m.verified = true;
    m.readable = true;
    m.manifest = std::move(*verified);
  } else {
    m.problem = verified.status().message();
    const size_t second_dot = token.find('.', first_dot + 1);
    if (auto payload = DecodeJson(token.substr(first_dot + 1, second_dot - first_dot - 1))) {
      m.readable = true;
      m.manifest = Claims(*payload);
    }
  }
  return m;
}

}  // namespace

std::vector<FoundManifest> FindManifests(std::string_view text, const crypto::PublicKey& root) {
  std::vector<FoundManifest> found;
  size_t pos = 0;
  while (pos < text.size()) {
    if (!IsBase64UrlChar(text[pos]) && text[pos] != '.') {
      ++pos;
      continue;
    }
    size_t run_end = pos;
    while (run_end < text.size() && (IsBase64UrlChar(text[run_end]) || text[run_end] == '.')) {
      ++run_end;
    }
    // The run's segments; a token is three consecutive non-empty ones.
    std::vector<std::string_view> segments;
    for (size_t s = pos; s <= run_end;) {
      size_t e = s;
      while (e < run_end && text[e] != '.') ++e;
      segments.push_back(text.substr(s, e - s));
      s = e + 1;
    }
    for (size_t i = 0; i + 2 < segments.size(); ++i) {
      if (segments[i + 1].empty() || segments[i + 2].empty() || !MayBeJsonObject(segments[i])) {
        continue;
      }
      const size_t begin = static_cast<size_t>(segments[i].data() - text.data());
      const size_t end = static_cast<size_t>(segments[i + 2].data() - text.data()) +
                         segments[i + 2].size();
      if (auto m = ReadCandidate(text.substr(begin, end - begin), root)) {
        m->end = end;
        found.push_back(std::move(*m));
        i += 2;  // a signature is not the next header
      }
    }
    pos = run_end;
  }
  return found;
}

}  // namespace homeport::audit::build
