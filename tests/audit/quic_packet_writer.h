// Builds protected QUIC client Initial packets for tests: frames in, the bytes a client puts
// on the wire out (RFC 9001 §5: AES-128-GCM, then header protection). The keys come from
// DeriveClientInitialKeys, which the RFC vectors check on their own; the protection here is
// checked by reproducing those vectors' packets byte for byte.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "audit/capture/quic_initial.h"

namespace homeport::testing {

inline constexpr uint32_t kQuicV1 = 0x00000001;
inline constexpr uint32_t kQuicV2 = 0x6b3343cf;

// A QUIC variable-length integer (RFC 9000 §16), in its shortest form unless `length` says.
inline std::string QuicVarint(uint64_t v, size_t length = 0) {
  if (length == 0) length = v < 64 ? 1 : v < 16384 ? 2 : v < (1u << 30) ? 4 : 8;
  const uint8_t bits = length == 1 ? 0 : length == 2 ? 1 : length == 4 ? 2 : 3;
  std::string out;
  for (size_t i = 0; i < length; ++i) {
    out.push_back(static_cast<char>(v >> (8 * (length - 1 - i))));
  }
  out[0] = static_cast<char>(static_cast<uint8_t>(out[0]) | (bits << 6));
  return out;
}

inline std::string CryptoFrame(uint64_t offset, std::string_view data) {
  return "\x06" + QuicVarint(offset) + QuicVarint(data.size()) + std::string(data);
}

struct QuicInitialSpec {
  uint32_t version = kQuicV1;
  std::string dcid = std::string("\x83\x94\xc8\xf0\x3e\x51\x57\x08", 8);
  std::string scid;
  uint64_t packet_number = 0;
  size_t packet_number_length = 4;
  std::string token;
  // The ID the keys come from when not `dcid`: the client's first, after it moved to the
  // server's.
  std::string key_dcid;
};

// One protected Initial packet carrying `frames` (PADDING added when the sample would not
// fit). The Length field takes two bytes, as most clients write it (four past 16 KiB).
inline std::string ProtectedQuicInitial(const QuicInitialSpec& spec, std::string frames) {
  const auto keys = audit::capture::DeriveClientInitialKeys(
      spec.version, spec.key_dcid.empty() ? spec.dcid : spec.key_dcid);
  if (!keys) throw std::runtime_error("no Initial keys for this version");
  const size_t pn_length = spec.packet_number_length;
  if (pn_length + frames.size() < 4) frames.resize(4 - pn_length, '\0');
  const uint8_t type = spec.version == kQuicV2 ? 1 : 0;
  std::string header;
  header.push_back(static_cast<char>(0xc0 | (type << 4) | (pn_length - 1)));
  for (int shift = 24; shift >= 0; shift -= 8) {
    header.push_back(static_cast<char>(spec.version >> shift));
  }
  header.push_back(static_cast<char>(spec.dcid.size()));
  header += spec.dcid;
  header.push_back(static_cast<char>(spec.scid.size()));
  header += spec.scid;
  header += QuicVarint(spec.token.size()) + spec.token;
  const size_t length = pn_length + frames.size() + 16;
  header += QuicVarint(length, length < 16384 ? 2 : 4);
  const size_t pn_offset = header.size();
  for (size_t i = 0; i < pn_length; ++i) {
    header.push_back(static_cast<char>(spec.packet_number >> (8 * (pn_length - 1 - i))));
  }
  // AEAD: nonce = iv XOR packet number, the header as associated data.
  std::array<uint8_t, 12> nonce = keys->iv;
  for (int i = 0; i < 8; ++i) {
    nonce[4 + i] ^= static_cast<uint8_t>(spec.packet_number >> (56 - 8 * i));
  }
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free);
  std::string sealed(frames.size() + 16, '\0');
  int n = 0;
  auto* out = reinterpret_cast<uint8_t*>(sealed.data());
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, keys->key.data(),
                         nonce.data()) <= 0 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const uint8_t*>(header.data()),
                        static_cast<int>(header.size())) <= 0 ||
      EVP_EncryptUpdate(ctx.get(), out, &n, reinterpret_cast<const uint8_t*>(frames.data()),
                        static_cast<int>(frames.size())) <= 0 ||
      EVP_EncryptFinal_ex(ctx.get(), out + n, &n) <= 0 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, out + frames.size()) <= 0) {
    throw std::runtime_error("AES-GCM failed");
  }
  std::string packet = header + sealed;
  // Header protection: a mask from the sample 4 bytes past the packet number's start.
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ecb(EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free);
  uint8_t mask[32];
  if (EVP_EncryptInit_ex(ecb.get(), EVP_aes_128_ecb(), nullptr, keys->hp.data(), nullptr) <= 0 ||
      EVP_CIPHER_CTX_set_padding(ecb.get(), 0) <= 0 ||
      EVP_EncryptUpdate(ecb.get(), mask, &n,
                        reinterpret_cast<const uint8_t*>(packet.data() + pn_offset + 4),
                        16) <= 0) {
    throw std::runtime_error("AES-ECB failed");
  }
  packet[0] = static_cast<char>(static_cast<uint8_t>(packet[0]) ^ (mask[0] & 0x0f));
  for (size_t i = 0; i < pn_length; ++i) {
    packet[pn_offset + i] = static_cast<char>(static_cast<uint8_t>(packet[pn_offset + i]) ^
                                              mask[1 + i]);
  }
  return packet;
}

// A long-header packet of another type (0-RTT, Handshake) whose payload is opaque bytes, as a
// coalesced datagram may carry after its Initial.
inline std::string OpaqueLongHeaderPacket(uint32_t version, uint8_t type, std::string_view dcid,
                                          std::string_view payload) {
  std::string p;
  p.push_back(static_cast<char>(0xc0 | (type << 4) | 3));
  for (int shift = 24; shift >= 0; shift -= 8) p.push_back(static_cast<char>(version >> shift));
  p.push_back(static_cast<char>(dcid.size()));
  p += dcid;
  p.push_back(0);
  p += QuicVarint(payload.size(), 2);
  p += payload;
  return p;
}

}  // namespace homeport::testing
