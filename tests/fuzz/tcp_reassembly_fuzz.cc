// One direction of a TCP connection: segments in any order, overlapping, retransmitted, with
// holes, under small limits so every limit is reached. Input: records of [seq: 4][flags: 1]
// [action: 1][length: 1][payload]. The action byte has the dissector consume bytes (low six
// bits: how many, times 8), flush (0x40) or stop buffering (0x80). The budget must always
// account exactly for the bytes the stream holds.
#include <cstdlib>

#include "audit/capture/tcp_reassembler.h"

using namespace homeport::audit::capture;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  TcpStreamLimits limits;
  limits.max_buffered = 2048;
  limits.max_out_of_order = 1024;
  limits.max_out_of_order_segments = 6;
  ReassemblyBudget budget(3000);
  {
    TcpStream stream;
    while (input.size() >= 7) {
      auto byte = [&](size_t i) { return static_cast<uint8_t>(input[i]); };
      uint32_t seq = (uint32_t{byte(0)} << 24) | (uint32_t{byte(1)} << 16) |
                     (uint32_t{byte(2)} << 8) | byte(3);
      uint8_t flags = byte(4), action = byte(5);
      size_t length = byte(6);
      input.remove_prefix(7);
      std::string_view payload = input.substr(0, length);
      input.remove_prefix(payload.size());
      stream.Add(seq, flags, payload, limits, budget);
      size_t consume = std::min<size_t>((action & 0x3f) * 8, stream.data().size());
      if (consume) stream.Consume(consume, budget);
      if (action & 0x40) stream.Flush(limits, budget);
      if (action & 0x80) stream.StopBuffering(budget);
      (void)stream.TakeDiscontinuity();
      if (stream.held() != budget.used()) abort();
    }
    stream.Flush(limits, budget);
    stream.StopBuffering(budget);
    if (budget.used() != 0 || stream.held() != 0) abort();
  }
  return 0;
}
