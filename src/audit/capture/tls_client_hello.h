// The server name a TLS client asks for (SNI, RFC 6066), read from the ClientHello at the
// start of a client's byte stream, also when the hello spans several TCP segments or TLS
// records; or from a bare handshake message, as QUIC carries it in CRYPTO frames (RFC 9001
// §4). With Encrypted Client Hello the outer, public name is what is on the wire.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace homeport::audit::capture {

struct ClientHello {
  enum class Outcome {
    kNeedMore,   // a TLS handshake so far, but not all of the ClientHello yet
    kNotTls,     // the stream does not start with a TLS handshake record
    kMalformed,  // it did, but the ClientHello does not parse
    kComplete,   // parsed; server_name may be empty (no SNI extension)
  };
  Outcome outcome = Outcome::kNeedMore;
  std::string server_name;
  std::vector<std::string> application_protocols;  // ALPN (RFC 7301), in the client's order
  bool encrypted_client_hello = false;              // an ECH or ESNI extension is present
};

// Reads the stream's first bytes. A ClientHello larger than 64 KiB is malformed.
ClientHello ParseClientHello(std::string_view stream);

// Reads one handshake message — type, 24-bit length, body — not wrapped in TLS records.
// kNeedMore while `message` is shorter than its length says; a message of another type, or
// larger than 64 KiB, is malformed.
ClientHello ParseClientHelloMessage(std::string_view message);

// Whether `stream` starts like a TLS record (handshake, alert, application data...); needs 3
// bytes.
bool LooksLikeTls(std::string_view stream);

}  // namespace homeport::audit::capture
