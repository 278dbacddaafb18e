// The libcurl transport against a real HTTP listener on 127.0.0.1: what goes over the wire is
// exactly the request the agent built, and the answer comes back intact.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "agent_test_support.h"
#include "crypto/jws.h"
#include "homeport/agent.h"

namespace homeport {
namespace {

using agent_testing::FakeEnv;
using agent_testing::TestDevice;

// Accepts one connection on an ephemeral loopback port, reads one request (headers and a
// Content-Length body) and writes `answer`. Gives up after 10 s so a broken client cannot hang
// the test.
class OneShotHttpServer {
 public:
  explicit OneShotHttpServer(std::string answer) : answer_(std::move(answer)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 1) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~OneShotHttpServer() {
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }

  int port() const { return port_; }
  // The raw request as received; call after the client has its answer.
  const std::string& request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  void Serve() {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 10'000) != 1) return;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    // One request only: a second connection is refused at once instead of waiting in the
    // backlog until the client times out.
    ::close(listen_fd_);
    listen_fd_ = -1;
    if (fd < 0) return;
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    size_t body_at = std::string::npos, want = 0;
    for (;;) {
      if (body_at == std::string::npos && (body_at = request_.find("\r\n\r\n")) != request_.npos) {
        body_at += 4;
        std::string head = request_.substr(0, body_at);
        for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t cl = head.find("\r\ncontent-length:");
        want = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 17));
      }
      if (body_at != std::string::npos && request_.size() >= body_at + want) break;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      request_.append(buf, static_cast<size_t>(n));
    }
    for (size_t sent = 0; sent < answer_.size();) {
      ssize_t n = ::send(fd, answer_.data() + sent, answer_.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    ::close(fd);
  }

  std::string answer_;
  std::string request_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

std::string HttpAnswer(const std::string& status_line, const std::string& extra_headers,
                       const std::string& body) {
  return "HTTP/1.1 " + status_line + "\r\nContent-Type: application/json\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// The value of header `name` in a raw request, or "" (exact-case match on the name).
std::string HeaderValue(const std::string& raw, const std::string& name) {
  size_t at = raw.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return raw.substr(at, raw.find("\r\n", at) - at);
}

std::string BodyOf(const std::string& raw) {
  size_t at = raw.find("\r\n\r\n");
  return at == std::string::npos ? "" : raw.substr(at + 4);
}

TEST(CurlTransport, SendsHeadersAndBodyOverTheWire) {
  const std::string reply = R"({"serial":"S1","warranty_start":"2026-01-15","status":"activated"})";
  OneShotHttpServer server(HttpAnswer("201 Created", "Retry-After: 3\r\n", reply));
  auto transport = NewCurlTransport({});
  TransportRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/v1/activations";
  request.body = R"({"serial":"S1","model":"M"})";
  request.headers = {{"Content-Type", "application/json"},
                     {"X-Homeport-Signature", "eyJhbGciOiJFZERTQSJ9..c2ln"},
                     {"User-Agent", "homeport-agent/1.0.0"}};

  auto response = transport->Post(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->headers["retry-after"], "3");
  EXPECT_EQ(response->body, reply);

  const std::string& raw = server.request();
  EXPECT_EQ(raw.substr(0, raw.find("\r\n")), "POST /v1/activations HTTP/1.1");
  EXPECT_EQ(HeaderValue(raw, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderValue(raw, "X-Homeport-Signature"), "eyJhbGciOiJFZERTQSJ9..c2ln");
  EXPECT_EQ(HeaderValue(raw, "User-Agent"), "homeport-agent/1.0.0");
  // libcurl's own defaults are suppressed: the request carries only what the agent chose.
  EXPECT_EQ(raw.find("\r\nAccept:"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("\r\nExpect:"), std::string::npos) << raw;
  EXPECT_EQ(BodyOf(raw), request.body);
}

TEST(CurlTransport, RefusedConnectionIsUnavailable) {
  // Bind and close a port so that nothing listens on it.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);

  auto transport = NewCurlTransport({});
  TransportRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/v1/activations";
  request.body = "{}";
  auto response = transport->Post(request);
  ASSERT_FALSE(response.ok());
  EXPECT_TRUE(response.status().IsUnavailable()) << response.status().ToString();
  EXPECT_NE(response.status().message().find(request.url), std::string::npos);
}

TEST(CurlTransport, DoesNotFollowRedirects) {
  OneShotHttpServer server(
      HttpAnswer("307 Temporary Redirect", "Location: http://zzhc.vnet.example/\r\n", "{}"));
  auto transport = NewCurlTransport({});
  TransportRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/v1/activations";
  request.body = "{}";
  auto response = transport->Post(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 307);
}

TEST(AgentOverCurl, ActivatesAgainstALoopbackServer) {
  TestDevice device;
  OneShotHttpServer server(
      HttpAnswer("201 Created", "",
                 R"({"serial":"HP7P-000123","warranty_start":"2026-01-15","status":"activated"})"));
  device.manifest.activation_url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  device.WriteManifest();
  FakeEnv env;
  AgentOptions options = device.Options(&env, nullptr);  // the default curl transport
  options.request_timeout = std::chrono::seconds(5);

  auto agent = Agent::Open(options);
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  auto state = (*agent)->Activate();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->outcome, ActivationOutcome::kActivated);

  const std::string& raw = server.request();
  EXPECT_EQ(raw.substr(0, raw.find("\r\n")), "POST /v1/activations HTTP/1.1");
  std::string body = BodyOf(raw);
  EXPECT_EQ(nlohmann::json::parse(body).size(), 8u);  // the seven fields and the sequence
  Status signature = crypto::VerifyDetached(HeaderValue(raw, "X-Homeport-Signature"), body,
                                            device.device_key.Public());
  EXPECT_TRUE(signature.ok()) << signature.ToString();
  EXPECT_EQ((*agent)->Activate()->outcome, ActivationOutcome::kCached);
}

}  // namespace
}  // namespace homeport
