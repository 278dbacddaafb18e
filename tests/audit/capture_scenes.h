// Capture scenes shared by the unit and end-to-end tests: the 2019 leak (a DNS lookup of
// zzhc.vnet.cn through a CNAME, then a cleartext POST of Base64 JSON with IMEI, ICCID, IMSI,
// MAC and cell ID, split over two TCP segments) and a clean session (DNS, then TLS to an
// allowed host with the SNI split over two segments), with the region sg policy that judges
// them.
#pragma once

#include <string>

#include "crypto/base64.h"
#include "pcap_writer.h"

namespace homeport::testing {

inline constexpr const char* kSgPolicy =
    R"({"region":"sg","allow_hosts":["*.sg.example.com"],"allow_countries":["SG"],)"
    R"("allow_cleartext":false})";

inline constexpr const char* kDevice = "192.168.1.20";
inline constexpr const char* kResolver = "192.168.1.1";
// Addresses whose country the real geo database gives as CN and SG (checked in geo_test).
inline constexpr const char* kChinaTelecom = "202.102.94.1";
inline constexpr const char* kSingTel = "203.116.1.1";

// A SIM serial with a valid Luhn check digit.
inline std::string Iccid() { return "8944500102198304826"; }

inline std::string LeakJson() {
  return R"({"imei":"490154203237518","iccid":")" + Iccid() +
         R"(","imsi":"460001234567890","mac":"3c:5a:b4:01:23:9f","cellid":"12345678"})";
}

struct LeakOptions {
  bool out_of_order = false;
  bool retransmit = false;
};

// The 2019 case. Returns the POST request as sent.
inline std::string Write2019Leak(CaptureWriter& w, LeakOptions o = {}) {
  w.Udp(kDevice, 40001, kResolver, 53, DnsQuery(0x1234, "zzhc.vnet.cn"));
  w.Udp(kResolver, 53, kDevice, 40001,
        DnsResponse(0x1234, "zzhc.vnet.cn", {"zzhc.vnet.cn.ctdns.cn"}, kChinaTelecom));
  const std::string body = crypto::Base64Encode(LeakJson());
  const std::string request =
      "POST /zzhc/activate HTTP/1.1\r\nHost: zzhc.vnet.cn\r\n"
      "Content-Type: text/plain\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  // Split in the middle of the Base64 body: no identifier is whole in either segment.
  const size_t split = request.size() - body.size() / 2;
  TcpConversation c(w, kDevice, 40002, kChinaTelecom, 80);
  c.Open();
  const uint32_t seq = c.next_client_seq();
  if (o.out_of_order) {
    c.SendAt(seq + static_cast<uint32_t>(split), request.substr(split));
    c.SendAt(seq, request.substr(0, split));
  } else {
    c.SendAt(seq, request.substr(0, split));
    c.SendAt(seq + static_cast<uint32_t>(split), request.substr(split));
  }
  if (o.retransmit) c.SendAt(seq, request.substr(0, split));
  c.Skip(request.size());
  c.Reply("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  c.Close();
  return request;
}

// DNS and TLS to an allowed host, the ClientHello split before its server name.
inline void WriteCleanSession(CaptureWriter& w) {
  w.Udp(kDevice, 40011, kResolver, 53, DnsQuery(7, "act.sg.example.com"));
  w.Udp(kResolver, 53, kDevice, 40011, DnsResponse(7, "act.sg.example.com", {}, kSingTel));
  const std::string hello = TlsClientHello("act.sg.example.com", 700);
  TcpConversation c(w, kDevice, 40012, kSingTel, 443);
  c.Open();
  c.Send(hello.substr(0, 50));
  c.Send(hello.substr(50));
  c.Reply(std::string("\x16\x03\x03\x00\x04\x02\x00\x00\x00", 9));
  c.Send(std::string("\x17\x03\x03\x00\x05hello", 10));
  c.Close();
}

}  // namespace homeport::testing
