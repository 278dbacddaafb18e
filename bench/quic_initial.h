// A QUIC version 1 client Initial packet as a browser sends it (RFC 9000 §17.2.2, RFC 9001 §5):
// a CRYPTO frame holding a TLS ClientHello, PADDING up to the datagram size, sealed with the
// Initial keys derived from the destination connection ID (HKDF with the version's salt,
// AES-128-GCM, AES header protection), all through OpenSSL. The benchmark's QUIC-heavy capture
// is made of these, so that a dissector has real decryption work to do.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace homeport::bench {

// A TLS 1.3 ClientHello handshake message (no record header) naming `server_name`, with ALPN
// "h3" and QUIC transport parameters. `random` fills the 32-byte random and the key share.
std::string QuicClientHello(std::string_view server_name, uint64_t random);

// The UDP payload of a client Initial packet: long header, version 1, the given connection
// IDs, packet number `packet_number`, a CRYPTO frame of `crypto` at offset 0, padded so that
// the whole payload is `datagram_size` bytes (at least 1200 for a client's first flight).
// Empty if `crypto` does not fit.
std::string QuicClientInitial(const std::array<uint8_t, 8>& destination_cid,
                              const std::array<uint8_t, 8>& source_cid, uint32_t packet_number,
                              std::string_view crypto, size_t datagram_size = 1200);

}  // namespace homeport::bench
