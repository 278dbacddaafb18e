// IPv4/IPv6 fragment reassembly. Input: records of [length: 2 bytes big-endian][raw IP packet];
// each packet is decoded as the capture reader decodes a raw-IP frame, fragments go to the
// defragmenter (four datagrams pending at most and 64 fragments a datagram, so both limits are
// reached), and every completed datagram is decoded as a transport segment. The work must stay
// in proportion to the fragments' bytes, and every datagram given up for a limit be reported.
#include <pcap/dlt.h>

#include <cstdlib>

#include "audit/capture/ip_defragmenter.h"
#include "audit/capture/packet_decoder.h"

using namespace homeport::audit::capture;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  IpDefragmenter defragmenter(/*max_pending=*/4, /*max_fragments=*/64);
  uint64_t fragments = 0, fragment_bytes = 0;
  while (input.size() >= 2) {
    size_t length = (static_cast<uint8_t>(input[0]) << 8) | static_cast<uint8_t>(input[1]);
    input.remove_prefix(2);
    std::string_view packet = input.substr(0, length);
    input.remove_prefix(packet.size());
    IpDatagram datagram = DecodeNetwork(DLT_RAW, packet);
    if (!datagram.ok) continue;
    if (!datagram.fragment) {
      (void)DecodeTransport(datagram.protocol, datagram.payload);
      continue;
    }
    ++fragments;
    fragment_bytes += datagram.payload.size();
    if (auto whole = defragmenter.Add(datagram)) {
      if (whole->size() > 65535) abort();  // no datagram grows past 64 KiB
      (void)DecodeTransport(datagram.protocol, *whole);
    }
  }
  // Bit words touched: one or two a fragment plus its bytes over 64, and one pass over a
  // datagram's length when its last fragment comes.
  if (defragmenter.work() > 3 * fragments + fragment_bytes / 64 + fragments * 1025) abort();
  const auto given_up = defragmenter.TakeUninspected();
  if (given_up.size() > defragmenter.dropped()) abort();
  for (const auto& u : given_up) {
    if (u.subject.empty() || u.reason.empty() || u.limit == 0) abort();
  }
  return 0;
}
