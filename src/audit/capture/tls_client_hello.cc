// Record layer first (the handshake message may be split over records), then the ClientHello
// fields up to the extensions (RFC 8446 §4.1.2).
#include "audit/capture/tls_client_hello.h"

#include <cstdint>

namespace homeport::audit::capture {
namespace {

constexpr size_t kMaxHello = 64 << 10;
constexpr uint8_t kHandshake = 22;
constexpr uint8_t kClientHelloType = 1;
constexpr uint16_t kServerNameExtension = 0;
constexpr uint16_t kEncryptedServerName = 0xFFCE;  // ESNI drafts
constexpr uint16_t kEncryptedClientHello = 0xFE0D;

uint32_t Byte(std::string_view s, size_t at) { return static_cast<uint8_t>(s[at]); }
uint32_t Be16(std::string_view s, size_t at) { return (Byte(s, at) << 8) | Byte(s, at + 1); }

ClientHello Fail(ClientHello::Outcome outcome) {
  ClientHello h;
  h.outcome = outcome;
  return h;
}

}  // namespace

bool LooksLikeTls(std::string_view s) {
  return s.size() >= 3 && Byte(s, 0) >= 20 && Byte(s, 0) <= 23 && Byte(s, 1) == 3 &&
         Byte(s, 2) <= 4;
}

ClientHello ParseClientHello(std::string_view stream) {
  using Outcome = ClientHello::Outcome;
  if (stream.size() >= 1 && Byte(stream, 0) != kHandshake) return Fail(Outcome::kNotTls);
  if (stream.size() >= 3 && !LooksLikeTls(stream)) return Fail(Outcome::kNotTls);
  // Gather the handshake bytes of consecutive handshake records until the message is whole.
  std::string handshake;
  size_t at = 0;
  size_t needed = 4;  // the handshake header, then the whole message
  while (handshake.size() < needed) {
    if (at + 5 > stream.size()) return Fail(Outcome::kNeedMore);
    if (Byte(stream, at) != kHandshake) return Fail(Outcome::kMalformed);
    const size_t length = Be16(stream, at + 3);
    if (at + 5 + length > stream.size()) {
      // Take what has arrived of this record: the ClientHello may already be complete in it.
      handshake.append(stream.substr(at + 5));
      at = stream.size();
    } else {
      handshake.append(stream.substr(at + 5, length));
      at += 5 + length;
    }
    if (handshake.size() >= 4) {
      if (Byte(handshake, 0) != kClientHelloType) return Fail(Outcome::kMalformed);
      needed = 4 + ((Byte(handshake, 1) << 16) | Be16(handshake, 2));
      if (needed > kMaxHello) return Fail(Outcome::kMalformed);
    }
    if (handshake.size() < needed && at >= stream.size()) return Fail(Outcome::kNeedMore);
  }
  std::string_view h = std::string_view(handshake).substr(4, needed - 4);
  size_t p = 2 + 32;  // legacy_version, random
  if (p + 1 > h.size()) return Fail(Outcome::kMalformed);
  p += 1 + Byte(h, p);  // session id
  if (p + 2 > h.size()) return Fail(Outcome::kMalformed);
  p += 2 + Be16(h, p);  // cipher suites
  if (p + 1 > h.size()) return Fail(Outcome::kMalformed);
  p += 1 + Byte(h, p);  // compression methods
  ClientHello out;
  out.outcome = Outcome::kComplete;
  if (p + 2 > h.size()) return out;  // no extensions at all (TLS 1.0 clients may omit them)
  const size_t end = p + 2 + Be16(h, p);
  if (end > h.size()) return Fail(Outcome::kMalformed);
  p += 2;
  while (p + 4 <= end) {
    const uint32_t type = Be16(h, p);
    const size_t length = Be16(h, p + 2);
    p += 4;
    if (p + length > end) return Fail(Outcome::kMalformed);
    if (type == kServerNameExtension && length >= 2) {
      // server_name_list: entries of (type, length, name); type 0 is host_name.
      size_t q = p + 2;
      const size_t list_end = p + length;
      while (q + 3 <= list_end) {
        const uint32_t name_type = Byte(h, q);
        const size_t name_length = Be16(h, q + 1);
        if (q + 3 + name_length > list_end) return Fail(Outcome::kMalformed);
        if (name_type == 0 && out.server_name.empty()) {
          out.server_name.assign(h.substr(q + 3, name_length));
        }
        q += 3 + name_length;
      }
    } else if (type == kEncryptedClientHello || type == kEncryptedServerName) {
      out.encrypted_client_hello = true;
    }
    p += length;
  }
  return out;
}

}  // namespace homeport::audit::capture
