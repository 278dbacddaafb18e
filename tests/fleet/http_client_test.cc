// The simulator's HTTP client over loopback: URL parsing, keep-alive, a connection the server
// closed while idle, and connection failures reported as retryable.
#include "fleet/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <future>
#include <thread>

namespace homeport::fleet {
namespace {

TEST(ParseHttpUrl, TakesUrlsApart) {
  auto u = ParseHttpUrl("https://sg.example.com:8443/api/v1?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "sg.example.com");
  EXPECT_EQ(u->port, "8443");
  EXPECT_EQ(u->target, "/api/v1?x=1");
  EXPECT_EQ(u->Origin(), "https://sg.example.com:8443");

  u = ParseHttpUrl("http://127.0.0.1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, "80");
  EXPECT_EQ(u->target, "/");

  u = ParseHttpUrl("http://[::1]:8080/submit");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, "8080");
  EXPECT_EQ(u->Origin(), "http://[::1]:8080");
}

TEST(ParseHttpUrl, RefusesWhatItCannotReach) {
  for (const char* bad : {"ftp://x", "http://", "http://:80", "http://h:0", "http://h:99999",
                          "http://h:8x", "http://u@h/", "http://[::1/"}) {
    EXPECT_FALSE(ParseHttpUrl(bad).ok()) << bad;
  }
}

// A blocking HTTP/1.1 server on a loopback port, run by a test thread: it answers each request
// with the next of `statuses`, and after the request numbered `close_after` (1-based) closes
// that connection and signals `closed`.
class ScriptedServer {
 public:
  ScriptedServer(std::vector<int> statuses, int close_after)
      : statuses_(std::move(statuses)), close_after_(close_after) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::future<void> closed() { return closed_.get_future(); }
  int connections() const { return connections_; }

 private:
  void Serve() {
    size_t answered = 0;
    while (answered < statuses_.size()) {
      int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      ++connections_;
      std::string buffer;
      char chunk[4096];
      bool open = true;
      while (open && answered < statuses_.size()) {
        size_t end;
        while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
          ssize_t n = ::read(conn, chunk, sizeof chunk);
          if (n <= 0) break;
          buffer.append(chunk, static_cast<size_t>(n));
        }
        if (end == std::string::npos) break;
        size_t length = 0;
        size_t cl = buffer.find("Content-Length: ");
        if (cl != std::string::npos && cl < end) length = std::stoul(buffer.substr(cl + 16));
        while (buffer.size() < end + 4 + length) {
          ssize_t n = ::read(conn, chunk, sizeof chunk);
          if (n <= 0) break;
          buffer.append(chunk, static_cast<size_t>(n));
        }
        buffer.erase(0, end + 4 + length);
        const int status = statuses_[answered++];
        std::string body = "{\"n\":" + std::to_string(answered) + "}";
        std::string response = "HTTP/1.1 " + std::to_string(status) +
                               " X\r\nContent-Type: application/json\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body;
        EXPECT_EQ(::write(conn, response.data(), response.size()),
                  static_cast<ssize_t>(response.size()));
        if (static_cast<int>(answered) == close_after_) {
          ::close(conn);
          open = false;
          closed_.set_value();
        }
      }
      if (open) ::close(conn);
    }
  }

  std::vector<int> statuses_;
  int close_after_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::promise<void> closed_;
  std::thread thread_;
};

HttpClientOptions OneLane() {
  HttpClientOptions o;
  o.lanes = 1;
  return o;
}

// Posts `request` on lane 0 and runs the loop until the answer is in.
Result<TransportResponse> PostAndWait(boost::asio::io_context& io, HttpClient& client,
                                      const TransportRequest& request) {
  std::optional<Result<TransportResponse>> answer;
  client.Post(0, request, [&answer](Result<TransportResponse> r) { answer.emplace(std::move(r)); });
  io.restart();
  while (!answer && io.run_one() > 0) {
  }
  if (!answer) return Status::Internal("the loop ran dry without an answer");
  return std::move(*answer);
}

TEST(HttpClient, KeepsTheConnectionForTheNextRequest) {
  ScriptedServer server({201, 200, 200}, /*close_after=*/0);
  boost::asio::io_context io;
  auto client = HttpClient::Create(io, OneLane(), {server.url()});
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  for (int i = 1; i <= 3; ++i) {
    auto r = PostAndWait(io, **client, {server.url() + "/v1/activations", {}, "{}"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, i == 1 ? 201 : 200);
    EXPECT_EQ(r->body, "{\"n\":" + std::to_string(i) + "}");
    EXPECT_EQ(r->headers["content-type"], "application/json");
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, ResendsOnceWhenTheServerClosedAnIdleConnection) {
  ScriptedServer server({200, 201}, /*close_after=*/1);
  auto closed = server.closed();
  boost::asio::io_context io;
  auto client = HttpClient::Create(io, OneLane(), {server.url()});
  ASSERT_TRUE(client.ok());
  auto first = PostAndWait(io, **client, {server.url() + "/a", {}, "1"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  closed.wait();
  auto second = PostAndWait(io, **client, {server.url() + "/b", {}, "2"});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->status, 201);
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClient, RefusedConnectionIsUnavailable) {
  // A port that was just free: nothing listens there.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  boost::asio::io_context io;
  auto client = HttpClient::Create(io, OneLane(), {url});
  ASSERT_TRUE(client.ok());
  auto r = PostAndWait(io, **client, {url + "/v1/activations", {}, "{}"});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsUnavailable()) << r.status().ToString();
  EXPECT_EQ(r.status().message().rfind("connect: ", 0), 0u) << r.status().message();
}

TEST(HttpClient, RefusesAnOriginItWasNotPreparedFor) {
  ScriptedServer server({200}, 0);
  boost::asio::io_context io;
  auto client = HttpClient::Create(io, OneLane(), {server.url()});
  ASSERT_TRUE(client.ok());
  auto r = PostAndWait(io, **client, {"http://127.0.0.2:1/x", {}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no connection was prepared"), std::string::npos);
  // The scripted server still expects its one request.
  EXPECT_TRUE(PostAndWait(io, **client, {server.url() + "/x", {}, ""}).ok());
}

}  // namespace
}  // namespace homeport::fleet
