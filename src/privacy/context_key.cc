// Key classification and the inline key look-behind.
#include "privacy/context_key.h"

#include <array>
#include <string>

namespace homeport::privacy {
namespace {

constexpr size_t kMaxKeyLength = 40;
constexpr size_t kMaxSeparators = 6;  // `\"imei\":\"` puts five characters between key and value

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsKeyChar(char c) { return IsAsciiAlnum(c) || c == '_' || c == '-' || c == '.'; }

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

template <size_t N>
bool IsOneOf(std::string_view s, const std::array<std::string_view, N>& set) {
  for (std::string_view x : set) {
    if (s == x) return true;
  }
  return false;
}

// Lowercase letters and digits only, trailing digits dropped ("IMEI_2" -> "imei"). Keys
// longer than kMaxKeyLength are not names anyone gives an identifier field.
std::string Normalize(std::string_view key) {
  std::string out;
  if (key.size() > kMaxKeyLength) return out;
  for (char c : key) {
    if (c >= 'A' && c <= 'Z')
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    else if (IsAsciiAlnum(c))
      out.push_back(c);
  }
  while (!out.empty() && out.back() >= '0' && out.back() <= '9') out.pop_back();
  return out;
}

constexpr std::array<std::string_view, 7> kImeiKeys = {"deviceid",    "devid",      "meid", "pei",
                                                       "equipmentid", "hardwareid", "hwid"};
constexpr std::array<std::string_view, 5> kImsiKeys = {"subscriberid", "subscriber", "supi",
                                                       "simsubscriberid", "subscriberidentity"};
constexpr std::array<std::string_view, 7> kMacKeys = {"bssid",  "hwaddr", "hwaddress",  "ethaddr",
                                                      "btaddr", "bdaddr", "wifiaddress"};
// Radio cell and location-area identifiers (GSM CI/LAC, UMTS, LTE ECI/TAC/PCI, NR NCI) and the
// network codes that make them globally unique.
constexpr std::array<std::string_view, 9> kLongCellKeys = {
    "cellid", "cellidentity", "lcid", "enbid", "gnbid", "ecgi", "ncgi", "lteci", "nrci"};
constexpr std::array<std::string_view, 12> kShortCellKeys = {
    "cid", "lac", "ci", "tac", "eci", "nci", "mcc", "mnc", "pci", "psc", "cgi", "enb"};
constexpr std::array<std::string_view, 4> kVersionKeys = {"ver", "vers", "build", "buildnumber"};

}  // namespace

KeyMeaning ClassifyKey(std::string_view key) {
  const std::string k = Normalize(key);
  if (k.empty()) return {};
  // Substring matches only for words that occur in nothing else: "imeisv", "deviceimei".
  if (k.find("imei") != std::string::npos || IsOneOf(k, kImeiKeys)) return {KeyClass::kImei};
  if (k.find("imsi") != std::string::npos || IsOneOf(k, kImsiKeys)) return {KeyClass::kImsi};
  if (EndsWith(k, "mac") || EndsWith(k, "macaddr") || EndsWith(k, "macaddress") ||
      IsOneOf(k, kMacKeys)) {
    return {KeyClass::kMac};
  }
  if (EndsWith(k, "cellid") || IsOneOf(k, kLongCellKeys)) return {KeyClass::kCell};
  if (IsOneOf(k, kShortCellKeys)) return {KeyClass::kCell, /*needs_assignment=*/true};
  // "server", "driver" end in "ver": only whole words or a "...version" suffix count.
  if (EndsWith(k, "version") || IsOneOf(k, kVersionKeys)) return {KeyClass::kVersion};
  return {};
}

std::optional<InlineKey> FindInlineKey(std::string_view text, size_t value_offset) {
  size_t i = value_offset;
  size_t separators = 0;
  bool assigned = false;
  while (i > 0 && separators < kMaxSeparators) {
    char c = text[i - 1];
    if (c == ':' || c == '=' || c == '>') {
      assigned = true;
    } else if (c != ' ' && c != '\t' && c != '"' && c != '\'' && c != '\\') {
      break;
    }
    --i;
    ++separators;
  }
  if (separators == 0) return std::nullopt;  // "abc123" is one word, not key and value
  const size_t key_end = i;
  while (i > 0 && key_end - i <= kMaxKeyLength && IsKeyChar(text[i - 1])) --i;
  if (i == key_end || key_end - i > kMaxKeyLength) return std::nullopt;
  const std::string_view key = text.substr(i, key_end - i);
  const KeyMeaning meaning = ClassifyKey(key);
  if (meaning.key_class == KeyClass::kNone) return std::nullopt;
  if (meaning.needs_assignment && !assigned) return std::nullopt;
  return InlineKey{meaning.key_class, key};
}

}  // namespace homeport::privacy
