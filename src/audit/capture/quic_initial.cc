// Long header (RFC 9000 §17.2), Initial keys (RFC 9001 §5.2, RFC 9369 §3.3), header
// protection (RFC 9001 §5.4), AEAD (§5.3), then the frames of an Initial packet (RFC 9000
// §19) and the CRYPTO stream's reassembly. OpenSSL does the HKDF and AES.
#include "audit/capture/quic_initial.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "common/big_endian.h"

namespace homeport::audit::capture {
namespace {

using Salt = std::array<uint8_t, 20>;

// The published initial salts (Wireshark's packet-quic.c uses the same table).
constexpr Salt kSaltDraft22 = {0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a,
                               0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a};
constexpr Salt kSaltDraft23 = {0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
                               0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02};
constexpr Salt kSaltDraft29 = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
                               0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};
constexpr Salt kSaltV1 = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                          0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
constexpr Salt kSaltV2 = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                          0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
constexpr Salt kSaltGoogleT050 = {0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80,
                                  0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10};
constexpr Salt kSaltGoogleT051 = {0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50,
                                  0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d};

constexpr uint32_t kVersion1 = 0x00000001;
constexpr uint32_t kVersion2 = 0x6b3343cf;
constexpr size_t kMaxCidLength = 20;
constexpr size_t kSampleLength = 16;
constexpr size_t kTagLength = 16;

struct VersionParams {
  const Salt* salt;
  std::string_view label_prefix;  // of the key, iv and hp labels
  uint32_t initial_type;          // long packet type bits of an Initial
  uint32_t retry_type;
  bool google_frames = false;  // Google's T05x: gQUIC frame types inside IETF packets
};

std::optional<VersionParams> ParamsOf(uint32_t version) {
  constexpr std::string_view kV1Labels = "quic ";
  const auto v1_like = [&](const Salt& salt) { return VersionParams{&salt, kV1Labels, 0, 3}; };
  switch (version) {
    case kVersion1:
      return v1_like(kSaltV1);
    case kVersion2:
      // RFC 9369 §3.2: Initial is 0b01, 0-RTT 0b10, Handshake 0b11, Retry 0b00.
      return VersionParams{&kSaltV2, "quicv2 ", 1, 0};
    case 0xfaceb001:  // mvfst, draft-22 based
      return v1_like(kSaltDraft22);
    case 0xfaceb002:  // mvfst, draft-27 based
    case 0xfaceb00e:  // mvfst experimental
      return v1_like(kSaltDraft23);
    case 0x54303530:  // Google T050
      return VersionParams{&kSaltGoogleT050, kV1Labels, 0, 3, true};
    case 0x54303531:  // Google T051
      return VersionParams{&kSaltGoogleT051, kV1Labels, 0, 3, true};
    default:
      break;
  }
  if ((version >> 8) != 0xff0000) return std::nullopt;
  const uint32_t draft = version & 0xff;
  if (draft == 22) return v1_like(kSaltDraft22);
  if (draft >= 23 && draft <= 28) return v1_like(kSaltDraft23);
  if (draft >= 29 && draft <= 32) return v1_like(kSaltDraft29);
  if (draft >= 33 && draft <= 34) return v1_like(kSaltV1);  // draft-33 brought v1's salt
  return std::nullopt;
}

uint32_t Byte(std::string_view s, size_t at) { return static_cast<uint8_t>(s[at]); }

// Reads QUIC's fields front to back; every read says whether the bytes were there.
class Cursor {
 public:
  explicit Cursor(std::string_view s, size_t at = 0) : s_(s), at_(at) {}
  size_t at() const { return at_; }
  bool done() const { return at_ >= s_.size(); }
  size_t left() const { return s_.size() - at_; }

  std::optional<uint64_t> Varint() {  // RFC 9000 §16
    if (done()) return std::nullopt;
    const size_t length = size_t{1} << (Byte(s_, at_) >> 6);
    if (left() < length) return std::nullopt;
    uint64_t v = Byte(s_, at_) & 0x3f;
    for (size_t i = 1; i < length; ++i) v = (v << 8) | Byte(s_, at_ + i);
    at_ += length;
    return v;
  }
  std::optional<std::string_view> Take(uint64_t n) {
    if (n > left()) return std::nullopt;
    std::string_view out = s_.substr(at_, n);
    at_ += n;
    return out;
  }
  std::optional<uint8_t> Octet() {
    if (done()) return std::nullopt;
    return static_cast<uint8_t>(s_[at_++]);
  }
  void SkipZeros() {
    const size_t next = s_.find_first_not_of('\0', at_);
    at_ = next == std::string_view::npos ? s_.size() : next;
  }

 private:
  std::string_view s_;
  size_t at_;
};

// The fields of a long header up to the packet number, and where the packet ends.
struct LongHeader {
  uint32_t version = 0;
  VersionParams params{};
  std::string_view dcid;
  bool initial = false;
  size_t pn_offset = 0;
  size_t end = 0;  // of this packet within the datagram's remainder
};

// Reads the long header at the start of `packet` (a datagram's remainder). nullopt for a
// short header, a version without known keys, a Retry, or a header that does not fit: the
// end of what can be read in this datagram.
std::optional<LongHeader> ReadLongHeader(std::string_view packet) {
  if (packet.size() < 7 || (Byte(packet, 0) & 0x80) == 0) return std::nullopt;
  LongHeader h;
  h.version = LoadBe32(packet, 1);
  const std::optional<VersionParams> params = ParamsOf(h.version);
  if (!params) return std::nullopt;
  h.params = *params;
  Cursor c(packet, 5);
  const std::optional<uint8_t> dcid_length = c.Octet();
  if (!dcid_length || *dcid_length > kMaxCidLength) return std::nullopt;
  const auto dcid = c.Take(*dcid_length);
  const std::optional<uint8_t> scid_length = c.Octet();
  if (!dcid || !scid_length || *scid_length > kMaxCidLength || !c.Take(*scid_length)) {
    return std::nullopt;
  }
  h.dcid = *dcid;
  const uint32_t type = (Byte(packet, 0) >> 4) & 3;
  if (type == h.params.retry_type) return std::nullopt;  // no Length: the rest is the Retry
  h.initial = type == h.params.initial_type;
  if (h.initial) {
    const std::optional<uint64_t> token_length = c.Varint();
    if (!token_length || !c.Take(*token_length)) return std::nullopt;
  }
  const std::optional<uint64_t> length = c.Varint();
  if (!length || *length > c.left()) return std::nullopt;
  h.pn_offset = c.at();
  h.end = c.at() + *length;
  return h;
}

// OpenSSL's implementations, fetched once (an implicit fetch on every use costs more than
// the work itself).
EVP_KDF* HkdfImpl() {
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  return kdf;
}
const EVP_CIPHER* Aes128Ecb() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr);
  return cipher;
}
const EVP_CIPHER* Aes128Gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  return cipher;
}

struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

OSSL_PARAM Octets(const char* name, const void* data, size_t size) {
  return OSSL_PARAM_construct_octet_string(name, const_cast<void*>(data), size);
}

// HKDF-Extract (with a salt) or HKDF-Expand (with info) with SHA-256, RFC 5869. The context,
// its digest set once, is kept per thread: resolving the digest by name costs more than the
// derivation itself, and OpenSSL 3.0 cannot copy an HKDF context. Every call sets the mode,
// key and salt or info it uses.
bool Hkdf(bool extract, std::string_view key, std::string_view salt_or_info, uint8_t* out,
          size_t out_size) {
  thread_local const std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx = [] {
    std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> c(HkdfImpl() == nullptr ? nullptr
                                                                      : EVP_KDF_CTX_new(HkdfImpl()));
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (c && EVP_KDF_CTX_set_params(c.get(), params) <= 0) c.reset();
    return c;
  }();
  if (!ctx) return false;
  int mode = extract ? EVP_KDF_HKDF_MODE_EXTRACT_ONLY : EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      Octets(OSSL_KDF_PARAM_KEY, key.data(), key.size()),
      Octets(extract ? OSSL_KDF_PARAM_SALT : OSSL_KDF_PARAM_INFO, salt_or_info.data(),
             salt_or_info.size()),
      OSSL_PARAM_construct_end(),
  };
  return EVP_KDF_derive(ctx.get(), out, out_size, params) > 0;
}

// HKDF-Expand-Label with an empty context (RFC 8446 §7.1).
bool ExpandLabel(std::string_view secret, std::string_view label, uint8_t* out, size_t size) {
  std::string info;
  info.push_back(static_cast<char>(size >> 8));
  info.push_back(static_cast<char>(size & 0xff));
  info.push_back(static_cast<char>(6 + label.size()));
  info.append("tls13 ").append(label);
  info.push_back('\0');
  return Hkdf(false, secret, info, out, size);
}

std::string_view AsChars(const uint8_t* p, size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}

std::optional<std::array<uint8_t, 16>> HeaderProtectionMask(const std::array<uint8_t, 16>& hp,
                                                            std::string_view sample) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::array<uint8_t, 16> mask{};
  int length = 0;
  if (!ctx || Aes128Ecb() == nullptr ||
      EVP_EncryptInit_ex2(ctx.get(), Aes128Ecb(), hp.data(), nullptr, nullptr) <= 0 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) <= 0 ||
      EVP_EncryptUpdate(ctx.get(), mask.data(), &length,
                        reinterpret_cast<const uint8_t*>(sample.data()),
                        static_cast<int>(kSampleLength)) <= 0 ||
      length != static_cast<int>(kSampleLength)) {
    return std::nullopt;
  }
  return mask;
}

// AES-128-GCM open; nullopt when the tag does not verify.
std::optional<std::string> Open(const QuicInitialKeys& keys, uint64_t packet_number,
                                std::string_view header, std::string_view sealed) {
  if (sealed.size() < kTagLength || Aes128Gcm() == nullptr) return std::nullopt;
  std::array<uint8_t, 12> nonce = keys.iv;
  for (int i = 0; i < 8; ++i) nonce[4 + i] ^= static_cast<uint8_t>(packet_number >> (56 - 8 * i));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  const size_t text_length = sealed.size() - kTagLength;
  std::string plain(text_length, '\0');
  std::array<uint8_t, kTagLength> tag;
  std::memcpy(tag.data(), sealed.data() + text_length, kTagLength);
  int length = 0;
  if (!ctx ||
      EVP_DecryptInit_ex2(ctx.get(), Aes128Gcm(), keys.key.data(), nonce.data(), nullptr) <= 0 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &length,
                        reinterpret_cast<const uint8_t*>(header.data()),
                        static_cast<int>(header.size())) <= 0 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<uint8_t*>(plain.data()), &length,
                        reinterpret_cast<const uint8_t*>(sealed.data()),
                        static_cast<int>(text_length)) <= 0 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kTagLength, tag.data()) <= 0 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<uint8_t*>(plain.data()) + length,
                          &length) <= 0) {
    return std::nullopt;
  }
  return plain;
}

// RFC 9000 §A.3: the full packet number nearest to the one expected next.
uint64_t DecodePacketNumber(int64_t largest, uint64_t truncated, size_t bits) {
  const int64_t expected = largest + 1;
  const int64_t window = int64_t{1} << bits;
  const int64_t half = window / 2;
  const int64_t candidate = (expected & ~(window - 1)) | static_cast<int64_t>(truncated);
  if (candidate <= expected - half && candidate < (int64_t{1} << 62) - window) {
    return static_cast<uint64_t>(candidate + window);
  }
  if (candidate > expected + half && candidate >= window) {
    return static_cast<uint64_t>(candidate - window);
  }
  return static_cast<uint64_t>(candidate);
}

struct Unprotected {
  uint64_t packet_number = 0;
  std::string plaintext;
};

// Removes header protection and opens the AEAD: nullopt when the keys are not this packet's.
std::optional<Unprotected> Unprotect(const QuicInitialKeys& keys, std::string_view packet,
                                     size_t pn_offset, int64_t largest_packet_number) {
  // The sample starts 4 bytes after the packet number's first byte.
  if (pn_offset + 4 + kSampleLength > packet.size()) return std::nullopt;
  const auto mask = HeaderProtectionMask(keys.hp, packet.substr(pn_offset + 4, kSampleLength));
  if (!mask) return std::nullopt;
  const uint8_t first = static_cast<uint8_t>(Byte(packet, 0) ^ ((*mask)[0] & 0x0f));
  const size_t pn_length = (first & 3) + 1;
  std::string header(packet.substr(0, pn_offset + pn_length));
  header[0] = static_cast<char>(first);
  uint64_t truncated = 0;
  for (size_t i = 0; i < pn_length; ++i) {
    header[pn_offset + i] = static_cast<char>(Byte(header, pn_offset + i) ^ (*mask)[1 + i]);
    truncated = (truncated << 8) | Byte(header, pn_offset + i);
  }
  Unprotected out;
  out.packet_number = DecodePacketNumber(largest_packet_number, truncated, 8 * pn_length);
  std::optional<std::string> plain =
      Open(keys, out.packet_number, header, packet.substr(pn_offset + pn_length));
  if (!plain) return std::nullopt;
  out.plaintext = std::move(*plain);
  return out;
}

}  // namespace

bool StartsWithQuicInitial(std::string_view datagram) {
  if (datagram.empty() || (Byte(datagram, 0) & 0x40) == 0) return false;  // the fixed bit
  const std::optional<LongHeader> h = ReadLongHeader(datagram);
  return h && h->initial;
}

std::optional<QuicInitialKeys> DeriveClientInitialKeys(uint32_t version,
                                                       std::string_view destination_cid) {
  const std::optional<VersionParams> params = ParamsOf(version);
  if (!params) return std::nullopt;
  std::array<uint8_t, 32> initial_secret;
  std::array<uint8_t, 32> client_secret;
  const std::string prefix(params->label_prefix);
  QuicInitialKeys keys;
  if (!Hkdf(true, destination_cid, AsChars(params->salt->data(), params->salt->size()),
            initial_secret.data(), initial_secret.size()) ||
      !ExpandLabel(AsChars(initial_secret.data(), 32), "client in", client_secret.data(), 32)) {
    return std::nullopt;
  }
  const std::string_view secret = AsChars(client_secret.data(), client_secret.size());
  if (!ExpandLabel(secret, prefix + "key", keys.key.data(), keys.key.size()) ||
      !ExpandLabel(secret, prefix + "iv", keys.iv.data(), keys.iv.size()) ||
      !ExpandLabel(secret, prefix + "hp", keys.hp.data(), keys.hp.size())) {
    return std::nullopt;
  }
  return keys;
}

QuicInitialReader::Outcome QuicInitialReader::Add(std::string_view datagram) {
  if (outcome_ != Outcome::kNeedMore) return outcome_;
  if (++datagrams_ > kMaxDatagrams) {
    Finish(Outcome::kUnreadable, "no whole ClientHello in the client's first 32 datagrams");
    return outcome_;
  }
  if (datagrams_ == 1 && !StartsWithQuicInitial(datagram)) {
    Finish(Outcome::kUnreadable, "the first datagram is not a QUIC Initial of a known version");
    return outcome_;
  }
  // Coalesced packets (RFC 9000 §12.2): each long header's Length leads to the next.
  std::string_view rest = datagram;
  while (!rest.empty() && outcome_ == Outcome::kNeedMore) {
    const std::optional<LongHeader> h = ReadLongHeader(rest);
    if (!h) break;
    if (h->initial) {
      if (++initial_packets_ > kMaxInitialPackets) {
        Finish(Outcome::kUnreadable, "no whole ClientHello in the client's first 64 Initials");
        break;
      }
      ReadPacket(h->version, h->dcid, rest.substr(0, h->end), h->pn_offset);
    }
    rest.remove_prefix(h->end);
  }
  return outcome_;
}

void QuicInitialReader::ReadPacket(uint32_t version, std::string_view dcid,
                                   std::string_view packet, size_t pn_offset) {
  // Initial keys come from the destination ID of the client's first Initial, and stay when
  // the client moves on to the ID the server chose; only a Retry, or another version after
  // version negotiation, brings new ones (RFC 9001 §5.2). So the keys in use are tried first
  // and, when they fail on a packet with another ID, that packet's own.
  const bool same_version = keys_ && keys_version_ == version;
  const int64_t largest = version == version_ ? largest_packet_number_ : -1;
  std::optional<Unprotected> opened;
  if (same_version) opened = Unprotect(*keys_, packet, pn_offset, largest);
  if (!opened && (!same_version || keys_cid_ != dcid)) {
    std::optional<QuicInitialKeys> keys = DeriveClientInitialKeys(version, dcid);
    if (!keys) {
      Finish(Outcome::kUnreadable, "no Initial keys");
      return;
    }
    opened = Unprotect(*keys, packet, pn_offset, largest);
    if (opened || !keys_) {
      keys_ = keys;
      keys_version_ = version;
      keys_cid_.assign(dcid);
    }
  }
  if (!opened) {
    // A client's first Initial always opens; later, a packet that does not may be damaged or
    // forged, and the ones that do still count.
    if (!decrypted_any_) Finish(Outcome::kUnreadable, "the Initial packet does not decrypt");
    return;
  }
  if (decrypted_any_ && version != version_) {
    // After version negotiation the client starts over in another version.
    crypto_.clear();
    received_.clear();
    contiguous_ = 0;
    largest_packet_number_ = -1;
  }
  decrypted_any_ = true;
  version_ = version;
  largest_packet_number_ =
      std::max(largest_packet_number_, static_cast<int64_t>(opened->packet_number));
  if (ParamsOf(version)->google_frames) {
    ReadGoogleFrames(opened->plaintext);
  } else {
    ReadFrames(opened->plaintext);
  }
}

bool QuicInitialReader::ReadFrames(std::string_view plaintext) {
  Cursor c(plaintext);
  while (!c.done()) {
    const std::optional<uint64_t> type = c.Varint();
    if (!type) return false;
    switch (*type) {
      case 0x00:  // PADDING
        c.SkipZeros();
        break;
      case 0x01:  // PING
        break;
      case 0x02:    // ACK
      case 0x03: {  // ACK with ECN counts
        const auto largest = c.Varint();
        const auto delay = c.Varint();
        const auto ranges = c.Varint();
        const auto first_range = c.Varint();
        if (!largest || !delay || !ranges || !first_range) return false;
        // Every range is two varints, so a count larger than the packet fails at its end.
        for (uint64_t i = 0; i < *ranges; ++i) {
          if (!c.Varint() || !c.Varint()) return false;
        }
        if (*type == 0x03 && (!c.Varint() || !c.Varint() || !c.Varint())) return false;
        break;
      }
      case 0x06: {  // CRYPTO
        const auto offset = c.Varint();
        const auto length = c.Varint();
        if (!offset || !length) return false;
        const auto data = c.Take(*length);
        if (!data || !AddCrypto(*offset, *data)) return false;
        break;
      }
      case 0x1c: {  // CONNECTION_CLOSE
        const auto code = c.Varint();
        const auto frame_type = c.Varint();
        const auto reason_length = c.Varint();
        if (!code || !frame_type || !reason_length || !c.Take(*reason_length)) return false;
        break;
      }
      default:  // not allowed in an Initial packet (RFC 9000 §12.4)
        return false;
    }
  }
  return true;
}

bool QuicInitialReader::ReadGoogleFrames(std::string_view plaintext) {
  // gQUIC's frame types (as Wireshark's packet-gquic.c reads T05x): PADDING fills the rest of
  // the packet, PING is 0x07, CRYPTO is 0x08 with varint offset and length like IETF's.
  Cursor c(plaintext);
  while (!c.done()) {
    const std::optional<uint8_t> type = c.Octet();
    if (!type || *type == 0x00) return true;
    if (*type == 0x07) continue;
    if (*type != 0x08) return false;
    const auto offset = c.Varint();
    const auto length = c.Varint();
    if (!offset || !length) return false;
    const auto data = c.Take(*length);
    if (!data || !AddCrypto(*offset, *data)) return false;
  }
  return true;
}

bool QuicInitialReader::AddCrypto(uint64_t offset, std::string_view data) {
  if (data.empty()) return true;
  if (offset > kMaxCryptoBytes || data.size() > kMaxCryptoBytes - offset) {
    Finish(Outcome::kUnreadable, "CRYPTO data past 64 KiB");
    return false;
  }
  const size_t begin = static_cast<size_t>(offset);
  const size_t end = begin + data.size();
  if (end > crypto_.size()) {
    if (end > crypto_.capacity()) {
      // Doubling, but never past the bound: a crafted offset costs at most kMaxCryptoBytes.
      const size_t grown = std::max({end, 2 * crypto_.capacity(), size_t{2048}});
      crypto_.reserve(std::min(grown, kMaxCryptoBytes));
      received_.reserve((crypto_.capacity() + 7) / 8);
    }
    crypto_.resize(end);
    received_.resize((end + 7) / 8);
  }
  std::memcpy(crypto_.data() + begin, data.data(), data.size());
  // Mark [begin, end) received: the partial bytes at either edge bit by bit, whole bytes at
  // once, so the work is proportional to the frame's own length.
  size_t i = begin;
  for (; i < end && i % 8 != 0; ++i) received_[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
  if (end - i >= 8) {
    std::memset(received_.data() + i / 8, 0xff, (end - i) / 8);
    i += (end - i) / 8 * 8;
  }
  for (; i < end; ++i) received_[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
  // The contiguous prefix only grows, so advancing it costs each byte once in total.
  while (contiguous_ < crypto_.size()) {
    if (contiguous_ % 8 == 0 && contiguous_ + 8 <= crypto_.size() &&
        received_[contiguous_ / 8] == 0xff) {
      contiguous_ += 8;
    } else if ((received_[contiguous_ / 8] >> (contiguous_ % 8)) & 1) {
      ++contiguous_;
    } else {
      break;
    }
  }
  // The header check is constant-time; the body is parsed once, when all of it is there.
  ClientHello hello = ParseClientHelloMessage(std::string_view(crypto_.data(), contiguous_));
  switch (hello.outcome) {
    case ClientHello::Outcome::kNeedMore:
      return true;
    case ClientHello::Outcome::kComplete:
      hello_ = std::move(hello);
      Finish(Outcome::kComplete, "");
      return false;
    default:
      Finish(Outcome::kUnreadable, "the CRYPTO data is not a ClientHello");
      return false;
  }
}

void QuicInitialReader::Finish(Outcome outcome, const char* failure) {
  outcome_ = outcome;
  failure_ = failure;
  // Nothing more is read: give the memory back.
  std::vector<char>().swap(crypto_);
  std::vector<uint8_t>().swap(received_);
  contiguous_ = 0;
  keys_.reset();
  std::string().swap(keys_cid_);
}

}  // namespace homeport::audit::capture
