// PcapSource beyond the frames: the input's SHA-256 as read (file, pipe), the first and last
// frames' times, reading a capture from a stream, and a stop request.
#include "audit/capture/pcap_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "../common/testing_temp_dir.h"
#include "audit/sha256_hasher.h"
#include "capture_scenes.h"

namespace homeport::audit::capture {
namespace {

using ::testing::HasSubstr;

std::string Sha256(std::string_view bytes) {
  Sha256Hasher h;
  h.Update(bytes);
  return h.FinishHex();
}

std::string Leak(bool pcapng = false) {
  testing::CaptureWriter w;
  testing::Write2019Leak(w);
  return pcapng ? w.Pcapng() : w.Pcap();
}

uint64_t Drain(FrameSource& source) {
  uint64_t n = 0;
  while (source.Next()) ++n;
  return n;
}

// A pipe whose write end is fed `bytes` by a thread, then closed.
class FedPipe {
 public:
  explicit FedPipe(std::string bytes, bool close_after = true) {
    int fds[2];
    if (pipe(fds) != 0) ADD_FAILURE() << "pipe";
    read_ = fds[0];
    write_ = fds[1];
    writer_ = std::thread([this, bytes = std::move(bytes), close_after] {
      size_t at = 0;
      while (at < bytes.size()) {
        const ssize_t n = write(write_, bytes.data() + at, bytes.size() - at);
        if (n <= 0) break;
        at += static_cast<size_t>(n);
      }
      if (close_after) CloseWriter();
    });
  }
  ~FedPipe() {
    writer_.join();
    CloseWriter();
    close(read_);
  }
  int fd() const { return read_; }
  void CloseWriter() {
    if (write_ >= 0) close(write_);
    write_ = -1;
  }

 private:
  int read_ = -1, write_ = -1;
  std::thread writer_;
};

TEST(PcapSourceDigest, IsTheFilesSha256) {
  testing::TempDir dir;
  for (bool pcapng : {false, true}) {
    const std::string bytes = Leak(pcapng);
    const std::string path = dir.File(pcapng ? "leak.pcapng" : "leak.pcap");
    testing::CaptureWriter::Write(path, bytes);
    auto source = PcapSource::Open(path);
    ASSERT_TRUE(source.ok()) << source.status().message();
    EXPECT_GT(Drain(*source), 5u);
    const InputDigest digest = source->Digest();
    EXPECT_EQ(digest.sha256, Sha256(bytes)) << (pcapng ? "pcapng" : "pcap");
    EXPECT_EQ(digest.bytes, bytes.size());
  }
}

TEST(PcapSourceDigest, ADamagedFileIsStillHashedWhole) {
  testing::TempDir dir;
  std::string bytes = Leak();
  bytes.append("\x01\x02\x03garbage after the last record");
  const std::string path = dir.File("damaged.pcap");
  testing::CaptureWriter::Write(path, bytes);
  auto source = PcapSource::Open(path);
  ASSERT_TRUE(source.ok());
  Drain(*source);
  EXPECT_FALSE(source->damage().ok());
  EXPECT_EQ(source->Digest().sha256, Sha256(bytes));
}

TEST(PcapSourceStream, ReadsPcapAndPcapngFromAPipeAndHashesWhatItRead) {
  for (bool pcapng : {false, true}) {
    const std::string bytes = Leak(pcapng);
    FedPipe pipe(bytes);
    auto source = PcapSource::OpenStream(pipe.fd(), "-");
    ASSERT_TRUE(source.ok()) << source.status().message();
    EXPECT_GT(Drain(*source), 5u);
    EXPECT_TRUE(source->damage().ok()) << source->damage().message();
    EXPECT_EQ(source->Digest().sha256, Sha256(bytes));
    EXPECT_FALSE(source->stopped());
  }
}

TEST(PcapSourceStream, DamageIsReportedAndTheStreamHashedToItsEnd) {
  std::string bytes = Leak();
  bytes.resize(bytes.size() - 7);  // the last record cut short
  FedPipe pipe(bytes);
  auto source = PcapSource::OpenStream(pipe.fd(), "-");
  ASSERT_TRUE(source.ok());
  Drain(*source);
  EXPECT_THAT(source->damage().message(), HasSubstr("-: damaged at byte offset"));
  EXPECT_EQ(source->Digest().sha256, Sha256(bytes));
}

TEST(PcapSourceStream, GarbageIsNotACapture) {
  FedPipe pipe("this is not a capture, just text piped in by mistake\n");
  auto source = PcapSource::OpenStream(pipe.fd(), "-");
  ASSERT_FALSE(source.ok());
  EXPECT_TRUE(source.status().IsInvalidArgument());
  EXPECT_THAT(source.status().message(), HasSubstr("not a readable pcap or pcapng file"));
}

TEST(PcapSourceStream, AnEmptyStreamIsNotACapture) {
  FedPipe pipe("");
  EXPECT_FALSE(PcapSource::OpenStream(pipe.fd(), "-").ok());
}

TEST(PcapSourceStream, AStopRequestEndsAStreamThatDoesNotEnd) {
  // The producer writes a whole capture and then keeps the pipe open, as tcpdump does.
  const std::string bytes = Leak();
  FedPipe pipe(bytes, /*close_after=*/false);
  volatile std::sig_atomic_t stop = 0;
  auto source = PcapSource::OpenStream(pipe.fd(), "-", {.stop = &stop});
  ASSERT_TRUE(source.ok());
  std::thread stopper([&stop] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = 1;
  });
  const uint64_t frames = Drain(*source);
  stopper.join();
  EXPECT_TRUE(source->stopped());
  EXPECT_TRUE(source->damage().ok()) << source->damage().message();
  EXPECT_GT(frames, 5u);
  EXPECT_EQ(source->Digest().sha256, Sha256(bytes));
  pipe.CloseWriter();
}

TEST(PcapSource, KnowsTheFirstAndLastFramesTimes) {
  testing::TempDir dir;
  testing::CaptureWriter w;
  w.Udp("10.0.0.2", 5000, "10.0.0.1", 53, "x");
  w.Udp("10.0.0.2", 5000, "10.0.0.1", 53, "y");
  w.Udp("10.0.0.2", 5000, "10.0.0.1", 53, "z");
  for (bool pcapng : {false, true}) {
    const std::string path = dir.File(pcapng ? "t.pcapng" : "t.pcap");
    testing::CaptureWriter::Write(path, pcapng ? w.Pcapng() : w.Pcap());
    auto source = PcapSource::Open(path);
    ASSERT_TRUE(source.ok());
    EXPECT_FALSE(source->first_frame_time());
    EXPECT_EQ(Drain(*source), 3u);
    ASSERT_TRUE(source->first_frame_time());
    EXPECT_EQ(source->first_frame_time()->seconds, 1'700'000'000);
    EXPECT_EQ(source->last_frame_time()->seconds, 1'700'000'002);
    EXPECT_EQ(source->last_frame_time()->microseconds, 0u);
  }
}

TEST(PcapSource, ReadsNanosecondTimestampsAsMicroseconds) {
  testing::TempDir dir;
  testing::CaptureWriter w;
  w.Udp("10.0.0.2", 5000, "10.0.0.1", 53, "x");
  std::string bytes = w.Pcap();
  bytes[0] = '\x4D';  // magic A1B23C4D, little-endian: nanosecond timestamps
  bytes[1] = '\x3C';
  // The first record's fraction field: 0x0001E240 = 123456 ns, that is 123 us.
  bytes[28] = '\x40';
  bytes[29] = '\xE2';
  bytes[30] = '\x01';
  bytes[31] = '\x00';
  const std::string path = dir.File("nano.pcap");
  testing::CaptureWriter::Write(path, bytes);
  auto source = PcapSource::Open(path);
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(Drain(*source), 1u);
  EXPECT_EQ(source->first_frame_time()->microseconds, 123u);
}

}  // namespace
}  // namespace homeport::audit::capture
