// A QUIC client's datagrams through QuicInitialReader. The first byte picks how the rest is
// read: even, as datagrams on the wire; odd, as the plaintext frames of Initial packets that
// the target protects itself (version from bits 1-2), so the fuzzer reaches the frame parser
// and CRYPTO reassembly behind the AEAD it could never forge. Either way records are
// [2-byte big-endian length][bytes], the last one taking what is left.
// Checked besides "no crash": the memory bound holds after every datagram, nothing is held
// once the outcome is known, and a known outcome never changes.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>

#include "audit/capture/quic_initial.h"
#include "audit/quic_packet_writer.h"

using homeport::audit::capture::QuicInitialReader;
using Outcome = QuicInitialReader::Outcome;

namespace {

constexpr uint32_t kVersions[] = {0x00000001, 0x6b3343cf, 0xff00001d, 0x54303531};

void Feed(QuicInitialReader& reader, std::string_view datagram) {
  const Outcome before = reader.outcome();
  const Outcome after = reader.Add(datagram);
  if (before != Outcome::kNeedMore && after != before) std::abort();
  if (reader.bytes_held() >
      QuicInitialReader::kMaxCryptoBytes + QuicInitialReader::kMaxCryptoBytes / 8) {
    std::abort();
  }
  if (after != Outcome::kNeedMore && reader.bytes_held() != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  (void)homeport::audit::capture::StartsWithQuicInitial(in);
  QuicInitialReader reader;
  homeport::testing::QuicInitialSpec spec;
  spec.version = kVersions[(mode >> 1) & 3];
  size_t at = 0;
  int records = 0;
  while (at < in.size() && records++ < 2 * QuicInitialReader::kMaxDatagrams) {
    size_t length = in.size() - at;
    if (length >= 2) {
      const size_t declared = (static_cast<uint8_t>(in[at]) << 8) | static_cast<uint8_t>(in[at + 1]);
      at += 2;
      length = std::min(declared, in.size() - at);
    }
    const std::string_view record = in.substr(at, length);
    at += length;
    if ((mode & 1) == 0) {
      Feed(reader, record);
    } else {
      Feed(reader, homeport::testing::ProtectedQuicInitial(spec, std::string(record)));
      ++spec.packet_number;
    }
  }
  return 0;
}
