// RFC 9001 §5.2 (Initial secrets), §5.3 (AEAD), §5.4 (header protection) with OpenSSL's HKDF
// (EVP_KDF), AES-128-GCM and AES-128-ECB. Any OpenSSL failure is a broken installation, not
// an input: the generator stops.
#include "quic_initial.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace homeport::bench {
namespace {

constexpr uint8_t kInitialSaltV1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                        0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "homeport_bench: OpenSSL %s failed\n", what);
  std::abort();
}

void Put16(std::string& s, uint32_t v) {
  s.push_back(static_cast<char>((v >> 8) & 0xFF));
  s.push_back(static_cast<char>(v & 0xFF));
}

// HKDF-Extract (salt given) or HKDF-Expand (info given) with SHA-256.
std::string Hkdf(bool extract, std::string_view key, std::string_view salt_or_info,
                 size_t length) {
  static EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr) Fail("HKDF fetch");
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(kdf),
                                                                &EVP_KDF_CTX_free);
  int mode = extract ? EVP_KDF_HKDF_MODE_EXTRACT_ONLY : EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(key.data()),
                                        key.size()),
      OSSL_PARAM_construct_octet_string(extract ? OSSL_KDF_PARAM_SALT : OSSL_KDF_PARAM_INFO,
                                        const_cast<char*>(salt_or_info.data()),
                                        salt_or_info.size()),
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_end(),
  };
  std::string out(length, '\0');
  if (!ctx || EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), length,
                             params) != 1) {
    Fail("HKDF");
  }
  return out;
}

// HKDF-Expand-Label of TLS 1.3 (RFC 8446 §7.1) with an empty context.
std::string ExpandLabel(std::string_view secret, std::string_view label, size_t length) {
  std::string info;
  Put16(info, static_cast<uint32_t>(length));
  info.push_back(static_cast<char>(6 + label.size()));
  info += "tls13 ";
  info += label;
  info.push_back(0);
  return Hkdf(false, secret, info, length);
}

struct InitialKeys {
  std::string key, iv, hp;
};

InitialKeys ClientKeys(const std::array<uint8_t, 8>& dcid) {
  const std::string initial =
      Hkdf(true, {reinterpret_cast<const char*>(dcid.data()), dcid.size()},
           {reinterpret_cast<const char*>(kInitialSaltV1), sizeof kInitialSaltV1}, 32);
  const std::string client = ExpandLabel(initial, "client in", 32);
  return {ExpandLabel(client, "quic key", 16), ExpandLabel(client, "quic iv", 12),
          ExpandLabel(client, "quic hp", 16)};
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

void Uchar(const std::string& s, const unsigned char** p) {
  *p = reinterpret_cast<const unsigned char*>(s.data());
}

// The RFC 9001 Appendix A keys, checked once: a generator that seals with wrong keys would
// make a benchmark of undecryptable noise.
void CheckAgainstRfc9001() {
  static const bool checked = [] {
    const InitialKeys k = ClientKeys({0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08});
    const std::string expected_key("\x1f\x36\x96\x13\xdd\x76\xd5\x46\x77\x30\xef\xcb\xe3\xb1\xa2\x2d",
                                   16);
    const std::string expected_hp("\x9f\x50\x44\x9e\x04\xa0\xe8\x10\x28\x3a\x1e\x99\x33\xad\xed\xd2",
                                  16);
    if (k.key != expected_key || k.hp != expected_hp) Fail("QUIC key derivation check");
    return true;
  }();
  (void)checked;
}

}  // namespace

std::string QuicClientHello(std::string_view server_name, uint64_t random) {
  auto bytes = [&](size_t n) {
    std::string out;
    uint64_t x = random;
    for (size_t i = 0; i < n; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      out.push_back(static_cast<char>(x & 0xFF));
    }
    return out;
  };
  std::string ext;
  auto add = [&](uint32_t type, const std::string& body) {
    Put16(ext, type);
    Put16(ext, static_cast<uint32_t>(body.size()));
    ext += body;
  };
  std::string sni;
  Put16(sni, static_cast<uint32_t>(server_name.size() + 3));
  sni.push_back(0);
  Put16(sni, static_cast<uint32_t>(server_name.size()));
  sni += server_name;
  add(0, sni);
  add(10, std::string("\x00\x02\x00\x1d", 4));                  // supported_groups: x25519
  add(13, std::string("\x00\x04\x04\x03\x08\x04", 6));          // signature_algorithms
  add(16, std::string("\x00\x03\x02h3", 5));                    // ALPN: h3
  add(43, std::string("\x02\x03\x04", 3));                      // supported_versions: TLS 1.3
  add(51, std::string("\x00\x24\x00\x1d\x00\x20", 6) + bytes(32));  // key_share
  // quic_transport_parameters: max_idle_timeout 30 s, initial_max_data 1 MiB,
  // initial_max_streams_bidi 100.
  add(57, std::string("\x01\x04\x80\x00\x75\x30\x04\x04\x80\x10\x00\x00\x08\x02\x40\x64", 16));
  std::string body;
  Put16(body, 0x0303);
  body += bytes(32);
  body.push_back(0);  // legacy_session_id
  Put16(body, 6);
  Put16(body, 0x1301);
  Put16(body, 0x1302);
  Put16(body, 0x1303);
  body.push_back(1);
  body.push_back(0);
  Put16(body, static_cast<uint32_t>(ext.size()));
  body += ext;
  std::string hello;
  hello.push_back(1);  // client_hello
  hello.push_back(0);
  Put16(hello, static_cast<uint32_t>(body.size()));
  return hello + body;
}

std::string QuicClientInitial(const std::array<uint8_t, 8>& destination_cid,
                              const std::array<uint8_t, 8>& source_cid, uint32_t packet_number,
                              std::string_view crypto, size_t datagram_size) {
  CheckAgainstRfc9001();
  constexpr size_t kHeader = 1 + 4 + 1 + 8 + 1 + 8 + 1 + 2 + 4;  // PN of 4 bytes
  constexpr size_t kTag = 16;
  if (datagram_size < kHeader + kTag + 4 + crypto.size() || datagram_size > kHeader + 0x3FFF) {
    return {};
  }
  const size_t payload_size = datagram_size - kHeader - kTag;
  std::string packet;
  packet.push_back(static_cast<char>(0xC3));  // long header, Initial, 4-byte packet number
  packet.append("\x00\x00\x00\x01", 4);       // version 1
  packet.push_back(8);
  packet.append(reinterpret_cast<const char*>(destination_cid.data()), 8);
  packet.push_back(8);
  packet.append(reinterpret_cast<const char*>(source_cid.data()), 8);
  packet.push_back(0);  // no token
  Put16(packet, static_cast<uint32_t>(0x4000 | (4 + payload_size + kTag)));
  const size_t pn_offset = packet.size();
  Put16(packet, packet_number >> 16);
  Put16(packet, packet_number & 0xFFFF);

  std::string payload;
  payload.push_back(0x06);  // CRYPTO
  payload.push_back(0x00);  // offset 0
  Put16(payload, static_cast<uint32_t>(0x4000 | crypto.size()));
  payload += crypto;
  payload.resize(payload_size, '\0');  // PADDING frames

  const InitialKeys keys = ClientKeys(destination_cid);
  std::string nonce = keys.iv;
  for (int i = 0; i < 4; ++i) {
    nonce[8 + i] = static_cast<char>(nonce[8 + i] ^ ((packet_number >> (24 - 8 * i)) & 0xFF));
  }
  CipherCtx gcm(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  const unsigned char *key, *iv, *aad, *plain;
  Uchar(keys.key, &key);
  Uchar(nonce, &iv);
  Uchar(packet, &aad);
  Uchar(payload, &plain);
  std::string sealed(payload_size + kTag, '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  int n = 0, m = 0;
  if (!gcm || EVP_EncryptInit_ex(gcm.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(gcm.get(), EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) != 1 ||
      EVP_EncryptInit_ex(gcm.get(), nullptr, nullptr, key, iv) != 1 ||
      EVP_EncryptUpdate(gcm.get(), nullptr, &n, aad, static_cast<int>(packet.size())) != 1 ||
      EVP_EncryptUpdate(gcm.get(), out, &n, plain, static_cast<int>(payload_size)) != 1 ||
      EVP_EncryptFinal_ex(gcm.get(), out + n, &m) != 1 ||
      EVP_CIPHER_CTX_ctrl(gcm.get(), EVP_CTRL_GCM_GET_TAG, kTag, out + payload_size) != 1) {
    Fail("AES-128-GCM");
  }
  packet += sealed;

  // Header protection: a mask from AES-ECB of the ciphertext sample 4 bytes past the packet
  // number's start hides the packet number's length bits and the packet number.
  CipherCtx ecb(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  const unsigned char *hp, *sample;
  Uchar(keys.hp, &hp);
  sample = reinterpret_cast<const unsigned char*>(packet.data()) + pn_offset + 4;
  unsigned char mask[32];
  if (!ecb || EVP_EncryptInit_ex(ecb.get(), EVP_aes_128_ecb(), nullptr, hp, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ecb.get(), 0) != 1 ||
      EVP_EncryptUpdate(ecb.get(), mask, &n, sample, 16) != 1 || n != 16) {
    Fail("AES-128-ECB");
  }
  packet[0] = static_cast<char>(packet[0] ^ (mask[0] & 0x0F));
  for (int i = 0; i < 4; ++i) {
    packet[pn_offset + i] = static_cast<char>(packet[pn_offset + i] ^ mask[1 + i]);
  }
  return packet;
}

}  // namespace homeport::bench
