// Record layer first (the handshake message may be split over records), then the ClientHello
// fields up to the extensions (RFC 8446 §4.1.2), read by one parser whether the message came
// in TLS records or bare.
#include "audit/capture/tls_client_hello.h"

#include <cstdint>

#include "common/big_endian.h"

namespace homeport::audit::capture {
namespace {

constexpr size_t kMaxHello = 64 << 10;
constexpr uint8_t kHandshake = 22;
constexpr uint8_t kClientHelloType = 1;
constexpr uint16_t kServerNameExtension = 0;
constexpr uint16_t kAlpnExtension = 16;
constexpr uint16_t kEncryptedServerName = 0xFFCE;  // ESNI drafts
constexpr uint16_t kEncryptedClientHello = 0xFE0D;
constexpr size_t kMaxProtocols = 16;  // ALPN names kept; clients offer two or three

uint32_t Byte(std::string_view s, size_t at) { return static_cast<uint8_t>(s[at]); }

ClientHello Fail(ClientHello::Outcome outcome) {
  ClientHello h;
  h.outcome = outcome;
  return h;
}

// The handshake message's size, header included, read from its 4-byte header: 0 while fewer
// than 4 bytes are there; kMalformed for another message type or an oversized hello.
struct MessageHeader {
  ClientHello::Outcome outcome = ClientHello::Outcome::kNeedMore;
  size_t size = 0;
};

MessageHeader ReadMessageHeader(std::string_view message) {
  MessageHeader m;
  if (message.size() < 4) return m;
  if (Byte(message, 0) != kClientHelloType) m.outcome = ClientHello::Outcome::kMalformed;
  m.size = 4 + ((Byte(message, 1) << 16) | LoadBe16(message, 2));
  if (m.size > kMaxHello) m.outcome = ClientHello::Outcome::kMalformed;
  return m;
}

bool ReadServerName(std::string_view h, size_t p, size_t length, ClientHello* out) {
  if (length < 2) return true;
  // server_name_list: entries of (type, length, name); type 0 is host_name.
  size_t q = p + 2;
  const size_t list_end = p + length;
  while (q + 3 <= list_end) {
    const uint32_t name_type = Byte(h, q);
    const size_t name_length = LoadBe16(h, q + 1);
    if (q + 3 + name_length > list_end) return false;
    if (name_type == 0 && out->server_name.empty()) {
      out->server_name.assign(h.substr(q + 3, name_length));
    }
    q += 3 + name_length;
  }
  return true;
}

bool ReadAlpn(std::string_view h, size_t p, size_t length, ClientHello* out) {
  if (length < 2) return true;
  // protocol_name_list: entries of (length, name).
  size_t q = p + 2;
  const size_t list_end = p + length;
  while (q + 1 <= list_end) {
    const size_t name_length = Byte(h, q);
    if (q + 1 + name_length > list_end) return false;
    if (out->application_protocols.size() < kMaxProtocols) {
      out->application_protocols.emplace_back(h.substr(q + 1, name_length));
    }
    q += 1 + name_length;
  }
  return true;
}

// The body of a whole ClientHello message (after its 4-byte header).
ClientHello ParseBody(std::string_view h) {
  using Outcome = ClientHello::Outcome;
  size_t p = 2 + 32;  // legacy_version, random
  if (p + 1 > h.size()) return Fail(Outcome::kMalformed);
  p += 1 + Byte(h, p);  // session id
  if (p + 2 > h.size()) return Fail(Outcome::kMalformed);
  p += 2 + LoadBe16(h, p);  // cipher suites
  if (p + 1 > h.size()) return Fail(Outcome::kMalformed);
  p += 1 + Byte(h, p);  // compression methods
  ClientHello out;
  out.outcome = Outcome::kComplete;
  if (p + 2 > h.size()) return out;  // no extensions at all (TLS 1.0 clients may omit them)
  const size_t end = p + 2 + LoadBe16(h, p);
  if (end > h.size()) return Fail(Outcome::kMalformed);
  p += 2;
  while (p + 4 <= end) {
    const uint32_t type = LoadBe16(h, p);
    const size_t length = LoadBe16(h, p + 2);
    p += 4;
    if (p + length > end) return Fail(Outcome::kMalformed);
    bool ok = true;
    if (type == kServerNameExtension) {
      ok = ReadServerName(h, p, length, &out);
    } else if (type == kAlpnExtension) {
      ok = ReadAlpn(h, p, length, &out);
    } else if (type == kEncryptedClientHello || type == kEncryptedServerName) {
      out.encrypted_client_hello = true;
    }
    if (!ok) return Fail(Outcome::kMalformed);
    p += length;
  }
  return out;
}

}  // namespace

bool LooksLikeTls(std::string_view s) {
  return s.size() >= 3 && Byte(s, 0) >= 20 && Byte(s, 0) <= 23 && Byte(s, 1) == 3 &&
         Byte(s, 2) <= 4;
}

ClientHello ParseClientHelloMessage(std::string_view message) {
  const MessageHeader header = ReadMessageHeader(message);
  if (header.outcome != ClientHello::Outcome::kNeedMore) return Fail(header.outcome);
  if (header.size == 0 || message.size() < header.size) return Fail(header.outcome);
  return ParseBody(message.substr(4, header.size - 4));
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
    const size_t length = LoadBe16(stream, at + 3);
    if (at + 5 + length > stream.size()) {
      // Take what has arrived of this record: the ClientHello may already be complete in it.
      handshake.append(stream.substr(at + 5));
      at = stream.size();
    } else {
      handshake.append(stream.substr(at + 5, length));
      at += 5 + length;
    }
    if (handshake.size() >= 4) {
      const MessageHeader header = ReadMessageHeader(handshake);
      if (header.outcome != Outcome::kNeedMore) return Fail(header.outcome);
      needed = header.size;
    }
    if (handshake.size() < needed && at >= stream.size()) return Fail(Outcome::kNeedMore);
  }
  return ParseClientHelloMessage(std::string_view(handshake).substr(0, needed));
}

}  // namespace homeport::audit::capture
