// Captures an attacker would craft against the verifier's parsers: an upload whose body is
// larger than the scan limit, a gzip bomb, a request head past its limit, a chunked body sent
// one byte a segment, one IP datagram in a flood of fragments. Each is what a device could
// send to hide an identifier or to stall the audit; the tests that use them assert the
// identifier is found or the part not looked at is reported, in the time a normal capture of
// the same size takes.
#pragma once

#include <arpa/inet.h>

#include <string>

#include "capture_scenes.h"
#include "common/gzip.h"
#include "pcap_writer.h"

namespace homeport::testing {

inline constexpr const char* kHostileImei = "490154203237518";

// `size` bytes of filler with "&imei=<IMEI>&" at `at`.
inline std::string FillerWithImeiAt(size_t size, size_t at) {
  std::string body(size, 'a');
  const std::string id = std::string("&imei=") + kHostileImei + "&";
  body.replace(at, id.size(), id);
  return body;
}

// Sends `request` from the device to kChinaTelecom:80 in `segment`-byte segments.
inline void SendInSegments(CaptureWriter& w, const std::string& request, size_t segment,
                           uint16_t port = 40100) {
  TcpConversation c(w, kDevice, port, kChinaTelecom, 80);
  c.Open();
  for (size_t at = 0; at < request.size(); at += segment) c.Send(request.substr(at, segment));
  c.Reply("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  c.Close();
}

// A POST of `body_size` bytes with an IMEI `imei_at` bytes in (issue 13: 2 MB, at 10 KB).
inline std::string WriteLargeUpload(CaptureWriter& w, size_t body_size, size_t imei_at) {
  const std::string body = FillerWithImeiAt(body_size, imei_at);
  const std::string request = "POST /upload HTTP/1.1\r\nHost: zzhc.vnet.cn\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;
  SendInSegments(w, request, 1460);
  return request;
}

// A gzip body inflating to 3 MiB, an IMEI 500 KB in: past 1 MiB it is not inflated at all
// unless inflated as a stream.
inline std::string WriteGzipBombUpload(CaptureWriter& w) {
  const std::string gz = Gzip(FillerWithImeiAt(3 << 20, 500'000));
  const std::string request =
      "POST /report HTTP/1.1\r\nHost: zzhc.vnet.cn\r\nContent-Encoding: gzip\r\n"
      "Content-Length: " +
      std::to_string(gz.size()) + "\r\n\r\n" + gz;
  SendInSegments(w, request, 1460, 40101);
  return request;
}

// A request head of 100 KB, an IMEI in a header near its start.
inline std::string WriteLongHeadRequest(CaptureWriter& w) {
  const std::string request =
      std::string("GET /ping HTTP/1.1\r\nHost: zzhc.vnet.cn\r\nX-Device: imei=") + kHostileImei +
      "\r\nX-Pad: " + std::string(100'000, 'p') + "\r\n\r\n";
  SendInSegments(w, request, 1460, 40102);
  return request;
}

// A chunked body of one-byte chunks, one byte a segment, `wire_bytes` long on the wire (the
// issue's capture: 4.7 MB of pcap took 77 s), an IMEI early in it.
inline std::string WriteOneByteChunkedUpload(CaptureWriter& w, size_t wire_bytes) {
  const std::string body = FillerWithImeiAt(wire_bytes / 6, 100);
  std::string request =
      "POST /c HTTP/1.1\r\nHost: zzhc.vnet.cn\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (char c : body) request += std::string("1\r\n") + c + "\r\n";
  request += "0\r\n\r\n";
  SendInSegments(w, request, 1, 40103);
  return request;
}

// The first fragment of one UDP datagram from the device, `count` times over (issue 13:
// 100,000 fragments took 73 s), raw IPv4 in Ethernet.
inline void WriteFragmentFlood(CaptureWriter& w, int count) {
  std::string frame("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
  // UDP 40000 → 53, length 1024: a datagram of which only the first fragment ever comes.
  const std::string payload =
      std::string("\x9c\x40\x00\x35\x04\x00\x00\x00", 8) + std::string(24, 'x');
  Put16(frame, 0x4500);
  Put16(frame, static_cast<uint16_t>(20 + payload.size()));
  Put16(frame, 0x1234);  // identification
  Put16(frame, 0x2000);  // more fragments, offset 0
  Put16(frame, 0x4011);  // TTL 64, UDP
  Put16(frame, 0);
  uint8_t s[4], d[4];
  inet_pton(AF_INET, kDevice, s);
  inet_pton(AF_INET, kChinaTelecom, d);
  frame.append(reinterpret_cast<char*>(s), 4);
  frame.append(reinterpret_cast<char*>(d), 4);
  frame += payload;
  for (int i = 0; i < count; ++i) w.Raw(frame);
}

}  // namespace homeport::testing
