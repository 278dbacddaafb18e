// The HTTP reader on hostile streams: bodies larger than any segment, gzip bombs, heads past
// their limit, one byte per segment. Each stream goes through a TcpStream as the capture
// analyzer feeds it (add a segment, read what is there, consume what was read), so a test
// fails if the reader needs the reassembler to hold a whole message again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <functional>
#include <random>

#include "audit/capture/http_request_parser.h"
#include "audit/capture/packet_decoder.h"
#include "audit/capture/payload_scan.h"
#include "audit/capture/tcp_reassembler.h"
#include "common/gzip.h"

namespace homeport::audit::capture {
namespace {

constexpr size_t kMiB = 1 << 20;
constexpr std::string_view kImei = "490154203237518";

const privacy::IdentifierScanner& Scanner() {
  static const auto scanner = privacy::IdentifierScanner::Create();
  return *scanner;
}

// The requests of a client stream sent in `segment`-byte segments (or the sizes `cut` gives),
// read as the analyzer reads them.
struct StreamRun {
  std::vector<HttpRequest> requests;
  bool not_http = false;
  uint64_t examined = 0;
  size_t most_held_by_stream = 0;  // bytes the reassembler held at once
  uint64_t overflowed = 0;
};

StreamRun ReadStream(std::string_view wire, const std::function<size_t(size_t)>& cut,
                     const HttpParserLimits& limits = {}, ReassemblyBudget* budget = nullptr) {
  ReassemblyBudget own(64 * kMiB);
  ReassemblyBudget& b = budget != nullptr ? *budget : own;
  TcpStreamLimits stream_limits;
  TcpStream stream;
  HttpRequestReader reader(limits, &b);
  StreamRun run;
  stream.Add(999, kTcpSyn, {}, stream_limits, b);
  uint32_t seq = 1000;
  const auto read = [&](bool end_of_stream) {
    while (!run.not_http) {
      if (stream.TakeDiscontinuity()) reader.Interrupt();
      HttpParse p = reader.Read(stream.data(), end_of_stream);
      stream.Consume(p.consumed, b);
      if (p.outcome == HttpParse::Outcome::kNeedMore) return;
      if (p.outcome == HttpParse::Outcome::kNotHttp) {
        run.not_http = true;
        stream.StopBuffering(b);
        return;
      }
      run.requests.push_back(std::move(p.request));
    }
  };
  for (size_t at = 0; at < wire.size();) {
    const size_t n = std::min(cut(at), wire.size() - at);
    stream.Add(seq, kTcpAck, wire.substr(at, n), stream_limits, b);
    seq += static_cast<uint32_t>(n);
    at += n;
    run.most_held_by_stream = std::max(run.most_held_by_stream, stream.held());
    if (stream.buffering()) read(false);
  }
  if (stream.buffering()) read(true);
  run.examined = reader.bytes_examined();
  run.overflowed = stream.stats().overflowed;
  return run;
}

StreamRun RunInSegments(std::string_view wire, size_t segment,
                        const HttpParserLimits& limits = {}) {
  return ReadStream(
      wire, [segment](size_t) { return segment; }, limits);
}

std::string Chunked(std::string_view body, size_t chunk) {
  std::string out;
  for (size_t at = 0; at < body.size(); at += chunk) {
    const std::string_view part = body.substr(at, chunk);
    char size[20];
    std::snprintf(size, sizeof size, "%zx", part.size());
    out += std::string(size) + "\r\n" + std::string(part) + "\r\n";
  }
  return out + "0\r\n\r\n";
}

// `size` bytes of filler with "imei=<IMEI>" at `at`.
std::string BodyWithImeiAt(size_t size, size_t at) {
  std::string body(size, 'a');
  const std::string id = "&imei=" + std::string(kImei) + "&";
  body.replace(at, id.size(), id);
  return body;
}

std::vector<std::string> ImeisIn(const HttpRequest& r) {
  std::vector<std::string> out;
  for (const auto& f : ScanHttpRequest(Scanner(), r)) {
    if (f.kind == privacy::IdentifierKind::kImei) out.push_back(f.value);
  }
  return out;
}

TEST(HttpRequestReader, ScansABodyLargerThanASegmentUpToTheLimit) {
  // The 2 MB body with an IMEI 10 KB in: the first 1 MiB is scanned, whatever segments it
  // came in; the rest is uninspected, and the request after it is still read.
  const std::string body = BodyWithImeiAt(2'000'000, 10'000);
  const std::string wire =
      "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n";
  const StreamRun run = RunInSegments(wire, 1460);
  ASSERT_EQ(run.requests.size(), 2u);
  const HttpRequest& r = run.requests[0];
  EXPECT_EQ(r.body.size(), kMiB);
  EXPECT_THAT(ImeisIn(r), ::testing::ElementsAre(std::string(kImei)));
  ASSERT_EQ(r.uninspected.size(), 1u);
  EXPECT_EQ(r.uninspected[0].reason, "HTTP body past the scan limit");
  EXPECT_EQ(r.uninspected[0].limit, kMiB);
  EXPECT_EQ(r.uninspected[0].offset, kMiB);
  EXPECT_TRUE(r.uninspected[0].subject.empty());  // the analyzer names the flow
  EXPECT_FALSE(r.body_incomplete);
  EXPECT_EQ(run.requests[1].target, "/next");
  EXPECT_TRUE(run.requests[1].uninspected.empty());
  // The reassembler never had to hold the message: no bytes were dropped for room.
  EXPECT_EQ(run.overflowed, 0u);
  EXPECT_LE(run.most_held_by_stream, 2 * 1460u);
}

TEST(HttpRequestReader, ScansAChunkedBodyAcrossSegmentsUpToTheLimit) {
  const std::string body = BodyWithImeiAt(1'500'000, 10'000);
  const std::string wire =
      "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + Chunked(body, 3000);
  const StreamRun run = RunInSegments(wire, 1000);
  ASSERT_EQ(run.requests.size(), 1u);
  const HttpRequest& r = run.requests[0];
  EXPECT_EQ(r.body, body.substr(0, kMiB));
  EXPECT_THAT(ImeisIn(r), ::testing::ElementsAre(std::string(kImei)));
  ASSERT_EQ(r.uninspected.size(), 1u);
  EXPECT_EQ(r.uninspected[0].reason, "HTTP body past the scan limit");
  EXPECT_EQ(r.uninspected[0].offset, kMiB);
  EXPECT_EQ(r.decoded, std::vector<std::string>{"chunked"});
}

TEST(HttpRequestReader, InflatesAGzipBombUpToTheLimit) {
  // 3 MiB of text compressing to a few KB: inflated as far as the limit, scanned, and the
  // rest reported; an IMEI past the limit is not claimed as seen.
  std::string plain = BodyWithImeiAt(3 * kMiB, 500'000);
  plain.replace(2 * kMiB, 20, "&imei=356938035643809");
  const std::string gz = Gzip(plain);
  ASSERT_LT(gz.size(), 64u << 10);
  const std::string wire =
      "POST /g HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\n"
      "Content-Length: " +
      std::to_string(gz.size()) + "\r\n\r\n" + gz + "GET /after HTTP/1.1\r\n\r\n";
  const StreamRun run = RunInSegments(wire, 1460);
  ASSERT_EQ(run.requests.size(), 2u);
  const HttpRequest& r = run.requests[0];
  EXPECT_EQ(r.body, plain.substr(0, kMiB));
  EXPECT_EQ(r.decoded, std::vector<std::string>{"gzip"});
  EXPECT_THAT(ImeisIn(r), ::testing::ElementsAre(std::string(kImei)));
  ASSERT_EQ(r.uninspected.size(), 1u);
  EXPECT_EQ(r.uninspected[0].reason, "gzip body inflates past the scan limit");
  EXPECT_EQ(r.uninspected[0].limit, kMiB);
  EXPECT_EQ(r.uninspected[0].offset, kMiB);
  EXPECT_EQ(run.requests[1].target, "/after");
}

TEST(HttpRequestReader, ReadsWhatFollowsAGzipStreamAndFurtherMembers) {
  // Bytes after a complete gzip stream are not hidden by it: another member is inflated,
  // anything else is scanned as sent.
  const std::string second = Gzip("&imsi=460001234567890");
  for (const std::string& tail : {std::string("&imei=") + std::string(kImei), second}) {
    const std::string gz = Gzip("hello") + tail;
    const std::string wire = "POST /g HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: " +
                             std::to_string(gz.size()) + "\r\n\r\n" + gz;
    for (size_t segment : {1u, 7u, 1460u}) {
      const StreamRun run = RunInSegments(wire, segment);
      ASSERT_EQ(run.requests.size(), 1u);
      EXPECT_EQ(run.requests[0].body.substr(0, 5), "hello");
      EXPECT_EQ(ScanHttpRequest(Scanner(), run.requests[0]).size(), 1u)
          << run.requests[0].body << " in segments of " << segment;
    }
  }
}

TEST(HttpRequestReader, ScansABodyLabelledGzipThatIsNotAsSent) {
  const std::string body = "imei=" + std::string(kImei);
  const std::string wire = "POST /g HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body;
  const StreamRun run = RunInSegments(wire, 3);
  ASSERT_EQ(run.requests.size(), 1u);
  EXPECT_EQ(run.requests[0].body, body);
  EXPECT_TRUE(run.requests[0].body_incomplete);
  EXPECT_THAT(ImeisIn(run.requests[0]), ::testing::ElementsAre(std::string(kImei)));
}

TEST(HttpRequestReader, UndoesDeflateAndScansWhatBreaksTheFramingAsSent) {
  // deflate (the zlib wrapper), inflated like gzip.
  const std::string plain = "imei=" + std::string(kImei);
  std::string z(compressBound(plain.size()), '\0');
  uLongf z_size = z.size();
  ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(z.data()), &z_size,
                      reinterpret_cast<const Bytef*>(plain.data()), plain.size(), 6),
            Z_OK);
  z.resize(z_size);
  const std::string deflated =
      "POST /d HTTP/1.1\r\nContent-Encoding: deflate\r\n"
      "Content-Length: " +
      std::to_string(z.size()) + "\r\n\r\n" + z;
  StreamRun run = RunInSegments(deflated, 2);
  ASSERT_EQ(run.requests.size(), 1u);
  EXPECT_EQ(run.requests[0].body, plain);
  EXPECT_EQ(run.requests[0].decoded, std::vector<std::string>{"deflate"});

  // A chunk line that is no chunk line: what follows is kept as sent, to the end of the
  // stream, and still scanned.
  const std::string broken =
      "POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nimei=" +
      std::string(kImei) + "\r\n0\r\n\r\n";
  run = RunInSegments(broken, 4);
  ASSERT_EQ(run.requests.size(), 1u);
  EXPECT_EQ(run.requests[0].body, "helloimei=" + std::string(kImei) + "\r\n0\r\n\r\n");
  EXPECT_TRUE(run.requests[0].body_incomplete);
  EXPECT_THAT(ImeisIn(run.requests[0]), ::testing::ElementsAre(std::string(kImei)));

  // So is a body whose length cannot be read.
  run =
      RunInSegments("POST /l HTTP/1.1\r\nContent-Length: ten\r\n\r\nimei=" + std::string(kImei), 5);
  ASSERT_EQ(run.requests.size(), 1u);
  EXPECT_THAT(ImeisIn(run.requests[0]), ::testing::ElementsAre(std::string(kImei)));
}

TEST(HttpRequestReader, ScansTheFirstPartOfAHeadPastItsLimit) {
  // A head of 100 KB: the headers that fit are scanned, the rest of the head is skipped to
  // its end, reported, and the body after it is read.
  const std::string wire = "POST /h HTTP/1.1\r\nHost: h\r\nX-Device: imei=" + std::string(kImei) +
                           "\r\nContent-Length: 25\r\nX-Pad: " + std::string(100'000, 'p') +
                           "\r\n\r\nimsi=460001234567890&x=1\n";
  const StreamRun run = RunInSegments(wire, 1460);
  ASSERT_EQ(run.requests.size(), 1u);
  const HttpRequest& r = run.requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.host, "h");
  EXPECT_EQ(r.Header("X-Pad").size(), (64u << 10) - (wire.find("X-Pad: ") + 7));
  EXPECT_EQ(r.body, "imsi=460001234567890&x=1\n");
  ASSERT_EQ(r.uninspected.size(), 1u);
  EXPECT_EQ(r.uninspected[0].reason, "HTTP request head past the size limit");
  EXPECT_EQ(r.uninspected[0].limit, 64u << 10);
  EXPECT_EQ(r.uninspected[0].offset, 64u << 10);
  std::vector<std::string> kinds;
  for (const auto& f : ScanHttpRequest(Scanner(), r)) kinds.emplace_back(privacy::NameOf(f.kind));
  EXPECT_THAT(kinds, ::testing::UnorderedElementsAre("imei", "imsi"));

  // Read in one go, as a datagram is: the same request, not "not HTTP" as before.
  const HttpParse once = ParseHttpRequest(wire, /*end_of_stream=*/false);
  ASSERT_EQ(once.outcome, HttpParse::Outcome::kComplete);
  EXPECT_EQ(once.request.Header("X-Device"), "imei=" + std::string(kImei));
  ASSERT_EQ(once.request.uninspected.size(), 1u);
  EXPECT_EQ(once.request.uninspected[0].offset, 64u << 10);
}

TEST(HttpRequestReader, ScansTheStartOfARequestLinePastTheHeadLimit) {
  const std::string wire = "GET /p?imei=" + std::string(kImei) +
                           "&pad=" + std::string(80'000, 'x') + " HTTP/1.1\r\nHost: h\r\n\r\n";
  const StreamRun run = RunInSegments(wire, 1460);
  ASSERT_EQ(run.requests.size(), 1u);
  EXPECT_EQ(run.requests[0].method, "GET");
  EXPECT_EQ(run.requests[0].version, "");  // cut before it
  EXPECT_THAT(ImeisIn(run.requests[0]), ::testing::ElementsAre(std::string(kImei)));
  ASSERT_EQ(run.requests[0].uninspected.size(), 1u);
}

TEST(HttpRequestReader, ReadsAChunkedBodyInOneByteSegmentsInLinearWork) {
  // 2 MB of chunks, one byte a segment: each byte is looked at a bounded number of times
  // (it was de-chunked again from the start on every segment: 4.7 MB took 77 s).
  const std::string body = BodyWithImeiAt(400'000, 10'000);
  const std::string wire = "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
                           Chunked(body, 1) + "GET /next HTTP/1.1\r\n\r\n";
  ASSERT_GT(wire.size(), 2'000'000u);
  const StreamRun run = RunInSegments(wire, 1);
  ASSERT_EQ(run.requests.size(), 2u);
  EXPECT_EQ(run.requests[0].body, body);
  EXPECT_THAT(ImeisIn(run.requests[0]), ::testing::ElementsAre(std::string(kImei)));
  EXPECT_LE(run.examined, 2 * wire.size());
  EXPECT_LE(run.most_held_by_stream, 1u);
}

TEST(HttpRequestReader, ReadsAHeadInOneByteSegmentsInLinearWork) {
  const std::string wire = "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: " + std::string(60'000, 'p') +
                           "\r\n\r\nGET /next HTTP/1.1\r\n\r\n";
  const StreamRun run = RunInSegments(wire, 1);
  ASSERT_EQ(run.requests.size(), 2u);
  EXPECT_EQ(run.requests[0].Header("X-Pad").size(), 60'000u);
  EXPECT_LE(run.examined, 2 * wire.size());
}

TEST(HttpRequestReader, GivesTheSameRequestsWhateverTheSegmentation) {
  const std::string gz = Gzip(BodyWithImeiAt(200'000, 150'000));
  const std::string wire =
      "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world"
      "\r\nPOST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n" +
      Chunked(gz, 777) + "M-SEARCH * HTTP/1.1\r\nHost: c\r\n\r\n";
  HttpParserLimits limits;
  limits.max_body_bytes = 160'000;
  const StreamRun whole = RunInSegments(wire, wire.size(), limits);
  ASSERT_EQ(whole.requests.size(), 3u);
  EXPECT_EQ(whole.requests[1].uninspected.size(), 1u);
  std::mt19937 random(13);
  for (int round = 0; round < 20; ++round) {
    const StreamRun run = ReadStream(
        wire, [&](size_t) { return std::uniform_int_distribution<size_t>(1, 3000)(random); },
        limits);
    ASSERT_EQ(run.requests.size(), whole.requests.size());
    for (size_t i = 0; i < run.requests.size(); ++i) {
      EXPECT_EQ(run.requests[i].target, whole.requests[i].target);
      EXPECT_EQ(run.requests[i].body, whole.requests[i].body);
      EXPECT_EQ(run.requests[i].decoded, whole.requests[i].decoded);
      EXPECT_EQ(run.requests[i].uninspected.size(), whole.requests[i].uninspected.size());
    }
  }
}

TEST(HttpRequestReader, KeepsItsBytesWithinTheReassemblyBudget) {
  ReassemblyBudget budget(300'000);
  const std::string body = BodyWithImeiAt(1'000'000, 1000);
  const std::string wire =
      "POST /b HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  const StreamRun run = ReadStream(
      wire, [](size_t) { return 1460; }, {}, &budget);
  ASSERT_EQ(run.requests.size(), 1u);
  const HttpRequest& r = run.requests[0];
  EXPECT_LT(r.body.size(), 300'000u);
  EXPECT_THAT(ImeisIn(r), ::testing::ElementsAre(std::string(kImei)));
  ASSERT_EQ(r.uninspected.size(), 1u);
  EXPECT_EQ(r.uninspected[0].reason, "HTTP body past the reassembly memory budget");
  EXPECT_EQ(r.uninspected[0].limit, 300'000u);
  EXPECT_EQ(r.uninspected[0].offset, r.body.size());
  EXPECT_EQ(budget.used(), 0u);  // all given back
}

TEST(HttpRequestReader, EndsARequestWhereBytesWereLost) {
  HttpRequestReader reader;
  const std::string head = "POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\nimei=";
  HttpParse p = reader.Read(head, false);
  EXPECT_EQ(p.outcome, HttpParse::Outcome::kNeedMore);
  EXPECT_EQ(p.consumed, head.size());
  reader.Interrupt();
  p = reader.Read("ZZZZ", false);
  ASSERT_EQ(p.outcome, HttpParse::Outcome::kComplete);
  EXPECT_EQ(p.consumed, 0u);
  EXPECT_EQ(p.request.body, "imei=");
  EXPECT_TRUE(p.request.body_incomplete);
  // What follows the loss is not the start of a request.
  EXPECT_EQ(reader.Read("ZZZZ", false).outcome, HttpParse::Outcome::kNotHttp);
}

TEST(HttpRequestReader, CompletesAtTheEndOfTheStream) {
  HttpRequestReader reader;
  HttpParse p = reader.Read("GET /a HTTP/1.1\r\nHost: h\r\nX-Imei: 4901", false);
  EXPECT_EQ(p.outcome, HttpParse::Outcome::kNeedMore);
  p = reader.Read("", true);
  ASSERT_EQ(p.outcome, HttpParse::Outcome::kComplete);
  EXPECT_EQ(p.request.host, "h");
  EXPECT_EQ(p.request.Header("X-Imei"), "4901");
  EXPECT_EQ(reader.Read("", true).outcome, HttpParse::Outcome::kNeedMore);  // nothing more
}

TEST(HttpRequestParser, CompletesABodyDeclaredPastTheLimitWithWhatIsThere) {
  // Read in one go, a body that cannot fit is not waited for: the part there is scanned,
  // the rest is listed.
  const std::string wire =
      "POST /x HTTP/1.1\r\nContent-Length: 5000000\r\n\r\nimei=" + std::string(kImei) + "&";
  const HttpParse p = ParseHttpRequest(wire, false);
  ASSERT_EQ(p.outcome, HttpParse::Outcome::kComplete);
  EXPECT_EQ(p.consumed, wire.size());
  EXPECT_THAT(ImeisIn(p.request), ::testing::ElementsAre(std::string(kImei)));
  ASSERT_EQ(p.request.uninspected.size(), 1u);
  EXPECT_EQ(p.request.uninspected[0].offset, p.request.body.size());
}

}  // namespace
}  // namespace homeport::audit::capture
