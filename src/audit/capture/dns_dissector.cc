// Name decoding follows at most 64 compression pointers,
// so a pointer loop ends; names longer than 255 bytes (RFC 1035 §2.3.4) are refused.
#include "audit/capture/dns_dissector.h"

#include "common/big_endian.h"

namespace homeport::audit::capture {
namespace {

// Reads the name at `*at`, advancing `*at` past it in the message. False when malformed.
bool ReadName(std::string_view m, size_t* at, std::string* name) {
  name->clear();
  size_t pos = *at;
  bool jumped = false;
  size_t wire_length = 0;
  for (int jumps = 0; jumps <= 64;) {
    if (pos >= m.size()) return false;
    const uint8_t len = static_cast<uint8_t>(m[pos]);
    if ((len & 0xC0) == 0xC0) {
      if (pos + 1 >= m.size()) return false;
      if (!jumped) *at = pos + 2;
      jumped = true;
      pos = ((len & 0x3Fu) << 8) | static_cast<uint8_t>(m[pos + 1]);
      ++jumps;
      continue;
    }
    if ((len & 0xC0) != 0) return false;  // extended label types are obsolete
    if (len == 0) {
      if (!jumped) *at = pos + 1;
      return true;
    }
    if (pos + 1 + len > m.size()) return false;
    wire_length += len + 1u;
    if (wire_length > 255) return false;
    if (!name->empty()) name->push_back('.');
    for (size_t i = pos + 1; i <= pos + len; ++i) {
      const auto c = static_cast<unsigned char>(m[i]);
      if (c > 0x20 && c < 0x7F) {
        name->push_back(static_cast<char>(c));
      } else {
        // Zone-file escape (RFC 1035 §5.1), so a report never carries raw control bytes.
        char esc[5] = {'\\', static_cast<char>('0' + c / 100), static_cast<char>('0' + c / 10 % 10),
                       static_cast<char>('0' + c % 10), 0};
        name->append(esc);
      }
    }
    pos += 1u + len;
  }
  return false;
}

}  // namespace

std::optional<DnsMessage> ParseDnsMessage(std::string_view m) {
  if (m.size() < 12) return std::nullopt;
  DnsMessage msg;
  msg.id = LoadBe16(m, 0);
  msg.response = (static_cast<uint8_t>(m[2]) & 0x80) != 0;
  const uint16_t questions = LoadBe16(m, 4);
  const uint16_t answers = LoadBe16(m, 6);
  // Every question takes at least 5 bytes, every record 11.
  if (questions * 5u + answers * 11u > m.size() - 12) {
    if (questions * 5u > m.size() - 12) return std::nullopt;
    msg.malformed = true;
  }
  size_t at = 12;
  std::string name;
  for (uint16_t i = 0; i < questions; ++i) {
    if (!ReadName(m, &at, &name) || at + 4 > m.size()) {
      msg.malformed = true;
      return msg;
    }
    at += 4;  // type, class
    if (!name.empty()) msg.questions.push_back(name);
  }
  for (uint16_t i = 0; i < answers; ++i) {
    if (!ReadName(m, &at, &name) || at + 10 > m.size()) {
      msg.malformed = true;
      return msg;
    }
    const uint16_t type = LoadBe16(m, at);
    const uint16_t rdlength = LoadBe16(m, at + 8);
    at += 10;
    if (at + rdlength > m.size()) {
      msg.malformed = true;
      return msg;
    }
    const auto* rdata = reinterpret_cast<const uint8_t*>(m.data() + at);
    if (type == kDnsTypeA && rdlength == 4) {
      msg.answers.push_back({name, type, IpAddress::V4(rdata), {}});
    } else if (type == kDnsTypeAaaa && rdlength == 16) {
      msg.answers.push_back({name, type, IpAddress::V6(rdata), {}});
    } else if (type == kDnsTypeCname) {
      size_t target_at = at;
      std::string target;
      if (ReadName(m, &target_at, &target)) {
        msg.answers.push_back({name, type, {}, std::move(target)});
      } else {
        msg.malformed = true;
      }
    }
    at += rdlength;
  }
  return msg;
}

}  // namespace homeport::audit::capture
