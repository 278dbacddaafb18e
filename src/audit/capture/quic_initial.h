// The server name a QUIC client asks for, read from its Initial packets. Initial packets are
// encrypted, but with keys anyone can derive from the version's published salt and the
// packet's destination connection ID (RFC 9001 §5.2, RFC 9369 §3.3.1), so the ClientHello
// they carry in CRYPTO frames is as readable on the wire as TLS over TCP's.
//
// Versions read: 1 (RFC 9000), 2 (RFC 9369), IETF drafts 22–34, Google's T050/T051 and
// Facebook's mvfst (0xfaceb001, 0xfaceb002, 0xfaceb00e) — the versions Wireshark decrypts,
// each with its own salt. Anything else is unreadable, not guessed at.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/capture/tls_client_hello.h"

namespace homeport::audit::capture {

// Whether `datagram` starts with a long-header Initial packet of a version listed above: a
// QUIC client's first datagram on any port.
bool StartsWithQuicInitial(std::string_view datagram);

// The keys that protect a client's Initial packets (AES-128-GCM, header protection
// AES-128-ECB), derived from the destination connection ID of its first Initial.
struct QuicInitialKeys {
  std::array<uint8_t, 16> key{};
  std::array<uint8_t, 12> iv{};
  std::array<uint8_t, 16> hp{};
};
// nullopt for a version not listed above.
std::optional<QuicInitialKeys> DeriveClientInitialKeys(uint32_t version,
                                                       std::string_view destination_cid);

// Reads one client's Initial packets as its datagrams arrive, until the ClientHello is
// whole: it removes header protection, decrypts, walks coalesced packets, reads PADDING,
// PING, ACK, CONNECTION_CLOSE and CRYPTO frames and puts CRYPTO data back together by offset,
// whatever order and overlap the frames come in, across packets and datagrams. The keys
// follow the client through a Retry and through version negotiation.
//
// Bounded: at most kMaxCryptoBytes of CRYPTO data are held (a ClientHello reaching past it is
// unreadable), at most kMaxDatagrams datagrams and kMaxInitialPackets Initial packets are
// looked at, and each costs time linear in its size. Not thread-safe; one reader per flow.
class QuicInitialReader {
 public:
  static constexpr size_t kMaxCryptoBytes = 64 << 10;
  static constexpr int kMaxDatagrams = 32;
  static constexpr int kMaxInitialPackets = 64;

  enum class Outcome {
    kNeedMore,    // nothing wrong so far, but no whole ClientHello yet
    kComplete,    // hello() is the client's ClientHello
    kUnreadable,  // not QUIC Initial packets of a listed version that decrypt to a ClientHello
                  // within the limits; failure() says why
  };

  // Takes the client's next UDP payload. After kComplete or kUnreadable, further datagrams are
  // ignored.
  Outcome Add(std::string_view datagram);

  Outcome outcome() const { return outcome_; }
  const ClientHello& hello() const { return hello_; }
  uint32_t version() const { return version_; }  // of the Initial packets read; 0 before one
  std::string_view failure() const { return failure_; }
  // Memory held for CRYPTO data now: at most kMaxCryptoBytes and a bit for each of those
  // bytes; none once the outcome is known.
  size_t bytes_held() const { return crypto_.capacity() + received_.capacity(); }

 private:
  void ReadPacket(uint32_t version, std::string_view dcid, std::string_view packet,
                  size_t pn_offset);
  bool ReadFrames(std::string_view plaintext);
  bool ReadGoogleFrames(std::string_view plaintext);
  bool AddCrypto(uint64_t offset, std::string_view data);
  void Finish(Outcome outcome, const char* failure);

  Outcome outcome_ = Outcome::kNeedMore;
  ClientHello hello_;
  const char* failure_ = "";
  int datagrams_ = 0;
  int initial_packets_ = 0;
  bool decrypted_any_ = false;
  uint32_t version_ = 0;
  // Keys for the connection ID they were derived from (a Retry changes it).
  std::string keys_cid_;
  uint32_t keys_version_ = 0;
  std::optional<QuicInitialKeys> keys_;
  int64_t largest_packet_number_ = -1;
  // CRYPTO data by offset, a bit per byte received, and how much of it is contiguous from 0.
  std::vector<char> crypto_;
  std::vector<uint8_t> received_;
  size_t contiguous_ = 0;
};

}  // namespace homeport::audit::capture
