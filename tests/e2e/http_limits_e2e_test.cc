// The HTTP edge against hostile clients, end to end: a real `homeport serve` on loopback, raw
// sockets speaking broken, ambiguous, endless or silent HTTP, and what a user of the server
// notices — memory that stays flat, JSON errors, closed connections, and real clients served
// throughout.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "e2e_support.h"

namespace homeport::e2e {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::vector<std::string> Serve(const testing::TempDir& dir, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {
      "--region", "sg",          "--store",   "sqlite:" + dir.File("sg.db"),
      "--listen", "127.0.0.1:0", "--threads", "2"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// A raw connection that reads responses one after another (pipelining), and can tell a
// connection the server closed from one that merely stays silent.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) : fd_(Connect(port, 10)) {}
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }
  bool Send(std::string_view data) { return fd_ >= 0 && SendAll(fd_, data); }

  // The next response; status 0 when the connection ended (or stayed silent 10 s) first.
  HttpResult Next() {
    HttpResult r;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return r;
    }
    std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    if (std::sscanf(head.c_str(), "HTTP/1.1 %d", &r.status) != 1) return r;
    size_t length = 0;
    for (size_t pos = head.find("\r\n"); pos != std::string::npos;) {
      size_t next = head.find("\r\n", pos + 2);
      std::string line = head.substr(pos + 2, next == std::string::npos ? next : next - pos - 2);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        if (name == "content-length") length = std::stoul(value);
        r.headers[name] = value;
      }
      pos = next;
    }
    while (buffer_.size() < length) {
      if (!Fill()) return {};
    }
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }

  // True when the server has closed its side (EOF or reset) with nothing more to read.
  bool ClosedByServer() {
    if (!buffer_.empty()) return false;
    char c;
    ssize_t n = recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }

 private:
  bool Fill() {
    char buf[8192];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  std::string buffer_;
};

std::string ErrorOf(const HttpResult& r) {
  json body = json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body.contains("error") || !body["error"].is_string()) return "";
  return body["error"];
}

// Resident memory of a process, in kB (VmRSS of /proc/PID/status).
long RssKb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// The value of one sample in a Prometheus exposition, or -1.
long Sample(const std::string& metrics, const std::string& series) {
  size_t at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stol(metrics.substr(at + series.size() + 2));
}

long Cuts(uint16_t port, const std::string& reason) {
  return Sample(HttpCall(port, "GET", "/metrics").body,
                "homeport_http_connections_cut_total{reason=\"" + reason + "\"}");
}

std::string SubmitPath(unsigned n) { return "/submit/homeport-agent/metrics/1/" + Uuid(7, n); }

TEST(HttpLimitsE2E, EndlessChunkLineLeavesMemoryFlatAndIsRefused) {
  testing::TempDir dir;
  ServerProcess server(Serve(dir));
  ASSERT_TRUE(server.started()) << server.output();
  ASSERT_EQ(HttpCall(server.port(), "GET", "/healthz").status, 200);
  const long before = RssKb(server.pid());
  ASSERT_GT(before, 0);

  RawConnection c(server.port());
  ASSERT_TRUE(c.Send("POST " + SubmitPath(1) +
                     " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n1;ext="));
  // 64 MB of one chunk extension, never ending the line; read whatever comes back meanwhile.
  fcntl(c.fd(), F_SETFL, fcntl(c.fd(), F_GETFL) | O_NONBLOCK);
  const std::string block(64 * 1024, 'a');
  constexpr size_t kTotal = 64u << 20;
  size_t sent = 0;
  std::string answer;
  bool closed = false;
  auto deadline = Clock::now() + seconds(30);
  while (!closed && sent < kTotal && Clock::now() < deadline) {
    pollfd p{c.fd(), POLLIN | POLLOUT, 0};
    poll(&p, 1, 100);
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[4096];
      ssize_t n = recv(c.fd(), buf, sizeof buf, 0);
      if (n > 0) answer.append(buf, static_cast<size_t>(n));
      if (n == 0 || (n < 0 && errno != EAGAIN)) closed = true;
    }
    if (!closed && (p.revents & POLLOUT)) {
      ssize_t n = send(c.fd(), block.data(), block.size(), MSG_NOSIGNAL);
      if (n > 0) sent += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN) closed = true;
    }
  }
  const long after = RssKb(server.pid());
  EXPECT_TRUE(closed) << "the server kept reading the endless line: " << sent << " bytes";
  EXPECT_LT(sent, kTotal);
  if (!answer.empty()) {
    EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
    EXPECT_NE(answer.find("\"bad_request\""), std::string::npos) << answer;
  }
  EXPECT_LT(after - before, 20 * 1024) << "RSS " << before << " kB -> " << after << " kB";
  EXPECT_EQ(HttpCall(server.port(), "GET", "/healthz").status, 200);
  EXPECT_GE(Cuts(server.admin_port(), "malformed"), 1);
}

TEST(HttpLimitsE2E, AmbiguousFramingIsRefusedAndNothingIsSmuggled) {
  testing::TempDir dir;
  ServerProcess server(Serve(dir));
  ASSERT_TRUE(server.started()) << server.output();
  // Each body hides a second request a front proxy framing it differently would pass on.
  const std::string smuggled = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n" + smuggled},
      {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n" + smuggled},
      {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n" + smuggled},
      {"Transfer-Encoding: identity\r\n", smuggled},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n" + smuggled},
  };
  for (const auto& [headers, body] : cases) {
    RawConnection c(server.port());
    ASSERT_TRUE(
        c.Send("POST /v1/activations HTTP/1.1\r\nHost: x\r\nContent-Type: "
               "application/json\r\n" +
               headers + "\r\n" + body));
    HttpResult r = c.Next();
    EXPECT_EQ(r.status, 400) << headers;
    EXPECT_EQ(ErrorOf(r), "bad_request") << headers << r.body;
    EXPECT_EQ(c.Next().status, 0) << headers << ": a second request was answered";
    EXPECT_TRUE(c.ClosedByServer()) << headers;
  }
  EXPECT_EQ(HttpCall(server.port(), "GET", "/healthz").status, 200);
}

TEST(HttpLimitsE2E, SlowlorisIsCutAtHeaderDeadlineWhileOthersAreServed) {
  testing::TempDir dir;
  ServerProcess server(Serve(dir, {"--header-timeout", "2"}));
  ASSERT_TRUE(server.started()) << server.output();
  const std::string header =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(64, 'z') + "\r\n\r\n";
  RawConnection slow(server.port());
  ASSERT_GE(slow.fd(), 0);
  fcntl(slow.fd(), F_SETFL, fcntl(slow.fd(), F_GETFL) | O_NONBLOCK);
  const auto start = Clock::now();
  std::optional<Clock::duration> cut;
  int served = 0;
  for (size_t i = 0; i < header.size() && !cut && Clock::now() - start < seconds(8); ++i) {
    if (send(slow.fd(), &header[i], 1, MSG_NOSIGNAL) != 1 || slow.ClosedByServer()) {
      cut = Clock::now() - start;
      break;
    }
    // A normal client meanwhile, on its own connection.
    HttpResult ok = HttpCall(server.port(), "GET", "/healthz");
    EXPECT_EQ(ok.status, 200);
    served += ok.status == 200;
    std::this_thread::sleep_for(seconds(1) - (Clock::now() - start) % seconds(1));
  }
  ASSERT_TRUE(cut.has_value()) << "a header trickled for 8 s was never cut";
  EXPECT_GE(*cut, milliseconds(1500));
  EXPECT_LE(*cut, milliseconds(4500));
  EXPECT_GE(served, 2);
  EXPECT_GE(Cuts(server.admin_port(), "header_timeout"), 1);
}

TEST(HttpLimitsE2E, SlowlorisOnKeepAliveConnectionIsCutToo) {
  testing::TempDir dir;
  ServerProcess server(Serve(dir, {"--header-timeout", "1", "--idle-timeout", "30"}));
  ASSERT_TRUE(server.started()) << server.output();
  RawConnection c(server.port());
  ASSERT_TRUE(c.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(c.Next().status, 200);
  // Idle well past the header deadline: keep-alive idleness has its own, longer one.
  std::this_thread::sleep_for(milliseconds(1500));
  ASSERT_TRUE(c.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(c.Next().status, 200);
  // Then a trickled header: cut a second after its first byte.
  const auto start = Clock::now();
  ASSERT_TRUE(c.Send("GET /h"));
  EXPECT_EQ(c.Next().status, 0);
  EXPECT_LT(Clock::now() - start, milliseconds(3000));
}

TEST(HttpLimitsE2E, ThousandIdleConnectionsLeaveHealthzAnswering) {
  testing::TempDir dir;
  ServerProcess server(Serve(dir), /*open_file_limit=*/1024);
  ASSERT_TRUE(server.started()) << server.output();
  std::vector<int> idle;
  for (int i = 0; i < 1100; ++i) {
    int fd = Connect(server.port());
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.push_back(fd);
  }
  const auto start = Clock::now();
  HttpResult r = HttpCall(server.port(), "GET", "/healthz");
  const auto took = Clock::now() - start;
  EXPECT_EQ(r.status, 200);
  EXPECT_LT(took, seconds(5));
  std::string metrics = HttpCall(server.admin_port(), "GET", "/metrics").body;
  long max = Sample(metrics, "homeport_http_connections_max");
  EXPECT_GT(max, 0);
  EXPECT_LT(max, 1024);  // sized below the open-file limit, leaving room for the store
  EXPECT_GE(Sample(metrics, "homeport_http_connections_cut_total{reason=\"idle_evicted\"}"),
            1100 - max);
  EXPECT_LE(Sample(metrics, "homeport_http_connections_open"), max + 1);
  for (int fd : idle) close(fd);
}

TEST(HttpLimitsE2E, BusyServerAtItsCapAnswers503AndClose) {
  testing::TempDir dir;
  ServerProcess server(Serve(dir, {"--max-connections", "2"}));
  ASSERT_TRUE(server.started()) << server.output();
  // Two connections busy with a request whose body is still coming.
  std::vector<std::unique_ptr<RawConnection>> busy;
  for (int i = 0; i < 2; ++i) {
    busy.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(busy.back()->Send("POST " + SubmitPath(10 + i) +
                                  " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                  "Content-Length: 100\r\n\r\n{"));
  }
  std::this_thread::sleep_for(milliseconds(200));  // both read by the server
  RawConnection third(server.port());
  ASSERT_TRUE(third.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  HttpResult r = third.Next();
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(ErrorOf(r), "unavailable") << r.body;
  EXPECT_FALSE(r.headers["retry-after"].empty());
  EXPECT_TRUE(third.ClosedByServer());
  // Once a busy one finishes, there is room again.
  ASSERT_TRUE(busy[0]->Send(std::string(99, ' ')));
  EXPECT_EQ(busy[0]->Next().status, 400);
  busy[0].reset();
  std::this_thread::sleep_for(milliseconds(200));
  HttpResult again = HttpCall(server.port(), "GET", "/healthz");
  EXPECT_EQ(again.status, 200);
}

TEST(HttpLimitsE2E, TwentyThousandMalformedRequestsLeaveServerServing) {
  testing::TempDir dir;
  ServerProcess server(Serve(dir));
  ASSERT_TRUE(server.started()) << server.output();
  const uint16_t port = server.port();

  // Answered by the handlers: the connection stays open, so these are pipelined.
  const std::vector<std::string> handled = {
      "POST /v1/activations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 9\r\n\r\n{not json",
      "POST /v1/activations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\n\r\n[]",
      "POST " + SubmitPath(1) +
          " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n"
          "{\"a\": [1, 2",
      "POST " + SubmitPath(2) +
          " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
          "Content-Length: 8\r\n\r\nnot gzip",
      "POST " + SubmitPath(3) +
          " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: "
          "chunked\r\n\r\n3\r\n{\"a\r\n0\r\n\r\n",
      "GET /v1/nothing/%00%ff HTTP/1.1\r\nHost: x\r\n\r\n",
      "DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST /submit/..%2f..%2fetc/passwd HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
  };
  // Unreadable as HTTP: answered 400 (or 413) and closed, so each needs its own connection.
  const std::vector<std::string> fatal = {
      "BLAH\r\n\r\n",
      "GET /healthz HTTX/1.1\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'b') + "\r\n\r\n",
      "POST " + SubmitPath(4) +
          " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
      "POST " + SubmitPath(5) +
          " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
      "POST " + SubmitPath(6) + " HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n",
      "POST " + SubmitPath(7) + " HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
      "POST " + SubmitPath(8) + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
  };

  constexpr int kThreads = 4;
  constexpr int kHandledPerThread = 4000;  // 16,000 in all
  constexpr int kFatalPerThread = 1000;    // 4,000 in all
  constexpr int kBatch = 100;
  std::atomic<int> answered{0}, failures{0};
  std::vector<std::string> problems(kThreads);
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto fail = [&](const std::string& what) {
        if (failures++ < 20) problems[static_cast<size_t>(t)] += what + "\n";
      };
      RawConnection keep_alive(port);
      for (int sent = 0; sent < kHandledPerThread; sent += kBatch) {
        std::string batch;
        for (int i = 0; i < kBatch; ++i)
          batch += handled[static_cast<size_t>(sent + i) % handled.size()];
        if (!keep_alive.Send(batch)) return fail("keep-alive connection closed");
        for (int i = 0; i < kBatch; ++i) {
          HttpResult r = keep_alive.Next();
          if (r.status < 400 || r.status >= 500 || ErrorOf(r).empty()) {
            fail("handled #" + std::to_string((sent + i) % handled.size()) + ": " +
                 std::to_string(r.status) + " " + r.body);
          }
          ++answered;
        }
      }
      for (int i = 0; i < kFatalPerThread; ++i) {
        const std::string& request = fatal[static_cast<size_t>(i) % fatal.size()];
        RawConnection c(port);
        c.Send(request);
        HttpResult r = c.Next();
        if ((r.status != 400 && r.status != 413) || ErrorOf(r).empty() || !c.ClosedByServer()) {
          fail("fatal #" + std::to_string(static_cast<size_t>(i) % fatal.size()) + ": " +
               std::to_string(r.status) + " " + r.body);
        }
        ++answered;
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto took = Clock::now() - start;
  std::string all_problems;
  for (const auto& p : problems) all_problems += p;
  EXPECT_EQ(failures.load(), 0) << all_problems;
  EXPECT_EQ(answered.load(), kThreads * (kHandledPerThread + kFatalPerThread));
  EXPECT_LT(took, seconds(30));
  std::printf("20,000 malformed requests answered in %.2f s\n",
              std::chrono::duration<double>(took).count());

  // Still up, still serving valid requests.
  EXPECT_EQ(kill(server.pid(), 0), 0);
  EXPECT_EQ(HttpCall(port, "GET", "/healthz").status, 200);
  HttpResult ping = Submit(port, "metrics", Uuid(7, 999), GleanBody(Uuid(8, 1), "{}"));
  EXPECT_EQ(ping.status, 200) << ping.body;
}

}  // namespace
}  // namespace homeport::e2e
