// The crafted captures of hostile_captures.h, read frame by frame as the capture analyzer
// reads them: IP decoded and defragmented, the client's TCP bytes reassembled and handed to
// an HttpRequestReader, each request scanned. What the analyzer then does with the findings
// and the uninspected parts is its own tests' business; these hold the parsers to finding the
// identifier, reporting what was not inspected, and doing so in linear work.
#include "hostile_captures.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include "audit/capture/http_request_parser.h"
#include "audit/capture/ip_defragmenter.h"
#include "audit/capture/packet_decoder.h"
#include "audit/capture/payload_scan.h"
#include "audit/capture/tcp_reassembler.h"

namespace homeport::audit::capture {
namespace {

using ::testing::ElementsAre;

const privacy::IdentifierScanner& Scanner() {
  static const auto scanner = privacy::IdentifierScanner::Create();
  return *scanner;
}

struct Reading {
  std::vector<HttpRequest> requests;
  std::vector<std::string> imeis;
  std::vector<Uninspected> uninspected;
  uint64_t examined = 0;
  uint64_t stream_overflowed = 0;
  IpDefragmenter defragmenter;
};

// One client stream to port 80 per capture, as in the scenes.
void Read(const testing::CaptureWriter& w, Reading& out) {
  ReassemblyBudget budget(64 << 20);
  TcpStreamLimits limits;
  TcpStream stream;
  HttpRequestReader reader({}, &budget);
  const auto read = [&](bool end_of_stream) {
    while (stream.buffering()) {
      if (stream.TakeDiscontinuity()) reader.Interrupt();
      HttpParse p = reader.Read(stream.data(), end_of_stream);
      stream.Consume(p.consumed, budget);
      if (p.outcome == HttpParse::Outcome::kNeedMore) return;
      if (p.outcome == HttpParse::Outcome::kNotHttp) {
        stream.StopBuffering(budget);
        return;
      }
      for (const auto& f : ScanHttpRequest(Scanner(), p.request)) {
        if (f.kind == privacy::IdentifierKind::kImei) out.imeis.push_back(f.value);
      }
      out.uninspected.insert(out.uninspected.end(), p.request.uninspected.begin(),
                             p.request.uninspected.end());
      out.requests.push_back(std::move(p.request));
    }
  };
  for (const std::string& frame : w.frames()) {
    const IpDatagram d = DecodeNetwork(DLT_EN10MB, frame);
    ASSERT_TRUE(d.ok);
    std::string_view transport = d.payload;
    if (d.fragment) {
      const auto whole = out.defragmenter.Add(d);
      if (!whole) continue;
      transport = *whole;
    }
    const Segment s = DecodeTransport(d.protocol, transport);
    if (!s.ok || s.dst_port != 80) continue;
    stream.Add(s.seq, s.tcp_flags, s.payload, limits, budget);
    if (stream.buffering()) read(false);
  }
  read(true);
  out.examined = reader.bytes_examined();
  out.stream_overflowed = stream.stats().overflowed;
}

TEST(HostileCaptures, AnImeiTenKilobytesIntoATwoMegabyteBodyIsFound) {
  testing::CaptureWriter w;
  testing::WriteLargeUpload(w, 2'000'000, 10'000);
  Reading r;
  Read(w, r);
  ASSERT_EQ(r.requests.size(), 1u);
  EXPECT_THAT(r.imeis, ElementsAre(testing::kHostileImei));
  ASSERT_EQ(r.uninspected.size(), 1u);
  EXPECT_EQ(r.uninspected[0].reason, "HTTP body past the scan limit");
  EXPECT_EQ(r.uninspected[0].offset, 1u << 20);
  EXPECT_EQ(r.stream_overflowed, 0u);
}

TEST(HostileCaptures, AGzipBodyInflatingPastTheLimitIsInflatedAsFarAsTheLimit) {
  testing::CaptureWriter w;
  testing::WriteGzipBombUpload(w);
  Reading r;
  Read(w, r);
  ASSERT_EQ(r.requests.size(), 1u);
  EXPECT_EQ(r.requests[0].decoded, std::vector<std::string>{"gzip"});
  EXPECT_THAT(r.imeis, ElementsAre(testing::kHostileImei));
  ASSERT_EQ(r.uninspected.size(), 1u);
  EXPECT_EQ(r.uninspected[0].reason, "gzip body inflates past the scan limit");
}

TEST(HostileCaptures, AHeadPastItsLimitIsScannedAsFarAsItFits) {
  testing::CaptureWriter w;
  testing::WriteLongHeadRequest(w);
  Reading r;
  Read(w, r);
  ASSERT_EQ(r.requests.size(), 1u);
  EXPECT_EQ(r.requests[0].host, "zzhc.vnet.cn");
  EXPECT_THAT(r.imeis, ElementsAre(testing::kHostileImei));
  ASSERT_EQ(r.uninspected.size(), 1u);
  EXPECT_EQ(r.uninspected[0].reason, "HTTP request head past the size limit");
}

TEST(HostileCaptures, AChunkedBodyOneByteASegmentIsReadInLinearWork) {
  // The 4.7 MB capture: 66,000 one-byte segments.
  testing::CaptureWriter w;
  const std::string request = testing::WriteOneByteChunkedUpload(w, 400'000);
  ASSERT_GT(w.Pcap().size(), 4'700'000u);
  Reading r;
  Read(w, r);
  ASSERT_EQ(r.requests.size(), 1u);
  EXPECT_THAT(r.imeis, ElementsAre(testing::kHostileImei));
  EXPECT_LE(r.examined, 2 * request.size());
}

TEST(HostileCaptures, AFloodOfFragmentsOfOneDatagramIsBoundedAndReported) {
  testing::CaptureWriter w;
  testing::WriteFragmentFlood(w, 100'000);
  Reading r;
  Read(w, r);
  EXPECT_LE(r.defragmenter.work(), 200'000u);
  const std::vector<Uninspected> given_up = r.defragmenter.TakeUninspected();
  ASSERT_FALSE(given_up.empty());
  EXPECT_EQ(given_up[0].subject, "udp 192.168.1.20 → 202.102.94.1, IPv4 datagram id 4660");
}

}  // namespace
}  // namespace homeport::audit::capture
