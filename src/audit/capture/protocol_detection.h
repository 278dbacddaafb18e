// Which end of a new flow is the client, and which application protocol a flow speaks, from
// its first bytes: the analyzer dissects only what a detector recognised.
#pragma once

#include <string_view>

#include "audit/capture/flow_table.h"
#include "audit/capture/packet_decoder.h"

namespace homeport::audit::capture {

// Whether the sender of the first packet seen of a flow is its client: a SYN's sender is; a
// SYN-ACK's is not; otherwise the side talking to a well-known port, else the first sender.
bool SenderIsClient(const Segment& first);

// What a TCP flow's client stream is from its first bytes: kTls, kHttp or kOther; kUnknown
// while more bytes are needed to tell (never at the end of the stream).
App DetectStream(std::string_view first_bytes, bool end_of_stream);

// What a UDP flow is from its first datagram (DNS flows are recognised by port before this).
App DetectDatagram(std::string_view payload, uint16_t server_port);

}  // namespace homeport::audit::capture
