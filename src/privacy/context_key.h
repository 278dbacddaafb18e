// Context keys: what the name next to a value (a JSON member, a query parameter, an "IMEI:"
// label) says about that value. Several detectors only report with the right key nearby.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace homeport::privacy {

enum class KeyClass {
  kNone,     // says nothing
  kImei,     // imei, imeisv, imei2, deviceid, meid, pei, ...
  kImsi,     // imsi, subscriberid, supi, ...
  kMac,      // mac, wifi_mac, bssid, macaddress, ...
  kCell,     // cellid, cell_id, cid, lac, ci, tac, eci, nci, mcc, mnc, ...
  kVersion,  // version, app_version, ver, build: a dotted quad there is not an IP address
};

struct KeyMeaning {
  KeyClass key_class = KeyClass::kNone;
  // Short keys that are also ordinary words or abbreviations ("ci", "tac", "cid") count in
  // free text only in key=value, key: value or <key>value form, never as a lone word.
  bool needs_assignment = false;
};

// Classifies a key. Matching ignores case, punctuation and trailing digits, so "IMEI_2",
// "deviceId", "cell-id" and "Wifi.MAC" all classify.
KeyMeaning ClassifyKey(std::string_view key);

// A key written in the text itself just before a value.
struct InlineKey {
  KeyClass key_class;
  std::string_view text;  // the key as written, a view into the scanned text
};

// Looks left of `value_offset` for `key=`, `key: `, `"key":"`, `\"key\":\"` or `<key>`, and
// for a strong key also `key ` (as in "IMEI 490154203237518"). Bounded: a few separator
// characters and a key of at most 40 characters, so it costs O(1) per candidate.
std::optional<InlineKey> FindInlineKey(std::string_view text, size_t value_offset);

}  // namespace homeport::privacy
