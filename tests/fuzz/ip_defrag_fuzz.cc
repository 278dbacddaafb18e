// IPv4/IPv6 fragment reassembly. Input: records of [length: 2 bytes big-endian][raw IP packet];
// each packet is decoded as the capture reader decodes a raw-IP frame, fragments go to the
// defragmenter (four datagrams pending at most, so eviction runs), and every completed datagram
// is decoded as a transport segment.
#include <pcap/dlt.h>

#include <cstdlib>

#include "audit/capture/ip_defragmenter.h"
#include "audit/capture/packet_decoder.h"

using namespace homeport::audit::capture;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  IpDefragmenter defragmenter(4);
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
    if (auto whole = defragmenter.Add(datagram)) {
      if (whole->size() > 65535) abort();  // no datagram grows past 64 KiB
      (void)DecodeTransport(datagram.protocol, *whole);
    }
  }
  return 0;
}
