// `homeport agent` against a server that misbehaves, over real sockets: a captive portal that
// answers every upload with a redirect must not cost the user their erasure, whatever the
// server says reaches the terminal escaped, and out-of-range option values are refused by name.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/gzip.h"
#include "e2e_support.h"

namespace homeport::e2e {
namespace {

using nlohmann::json;

// A raw-socket HTTP/1.1 server on loopback that answers every request with one scripted answer
// (changeable while it runs) and closes the connection; it keeps each request's path and body.
class ScriptedHttpServer {
 public:
  struct Request {
    std::string path;
    std::string body;
  };

  ScriptedHttpServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~ScriptedHttpServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The status line's code and reason, extra header lines ("Name: value\r\n"…) and a body.
  void Answer(const std::string& status, const std::string& headers, const std::string& body) {
    std::lock_guard lock(mu_);
    answer_ = "HTTP/1.1 " + status + "\r\n" + headers +
              "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
              body;
  }

  std::vector<Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Run() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) != 1) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      Serve(fd);
      ::close(fd);
    }
  }

  void Serve(int fd) {
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string raw;
    size_t body_at = std::string::npos, want = 0;
    char buf[8192];
    for (;;) {
      if (body_at == std::string::npos && (body_at = raw.find("\r\n\r\n")) != std::string::npos) {
        body_at += 4;
        std::string head = raw.substr(0, body_at);
        for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t cl = head.find("\r\ncontent-length:");
        want = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 17));
      }
      if (body_at != std::string::npos && raw.size() >= body_at + want) break;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      raw.append(buf, static_cast<size_t>(n));
    }
    std::string answer;
    {
      std::lock_guard lock(mu_);
      const size_t sp = raw.find(' ');
      const size_t sp2 = raw.find(' ', sp + 1);
      requests_.push_back({raw.substr(sp + 1, sp2 - sp - 1), raw.substr(body_at, want)});
      answer = answer_;
    }
    for (size_t sent = 0; sent < answer.size();) {
      ssize_t n = ::send(fd, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::string answer_ = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
  std::vector<Request> requests_;
};

struct Device {
  const Region& region;
  std::string manifest, state;

  CommandResult Uxp(std::vector<std::string> args, const std::string& deadline = "10") const {
    std::vector<std::string> full = {"agent", "uxp"};
    full.insert(full.end(), args.begin(), args.end());
    full.insert(full.end(), {"--profile", region.Profile(1), "--manifest", manifest, "--state",
                             state, "--deadline", deadline});
    return Homeport(full);
  }
  json Status() const {
    CommandResult r = Uxp({"status"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }
};

// The client ids of the deletion-requests the server received.
std::vector<std::string> DeletionRequestsFor(ScriptedHttpServer& server) {
  std::vector<std::string> ids;
  for (const auto& r : server.requests()) {
    if (r.path.find("/submit/homeport-agent/deletion-request/1/") != 0) continue;
    auto body = Gunzip(r.body, 1 << 20);
    EXPECT_TRUE(body.ok()) << body.status().ToString();
    json j = json::parse(body.ok() ? *body : "", nullptr, false);
    ids.push_back(j["client_info"]["client_id"].is_string()
                      ? j["client_info"]["client_id"].get<std::string>()
                      : "");
  }
  return ids;
}

bool HasControlCharacters(const std::string& s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\n') || c == 0x7f) return true;
  }
  return s.find("\xc2\x9b") != std::string::npos;
}

TEST(AgentHostileServerE2E, RedirectedDeletionRequestStaysPendingUntilAServerTakesIt) {
  Region region(1);
  ScriptedHttpServer server;
  Device device{region, region.Manifest("sg", server.url()), region.dir.File("state")};
  ASSERT_EQ(device.Uxp({"opt-in"}).exit_code, 0);
  const json opted_in = device.Status();
  ASSERT_TRUE(opted_in["client_id"].is_string()) << opted_in;
  const std::string client_id = opted_in["client_id"];

  // A captive portal: every request is redirected, with a Location meant to paint the terminal.
  server.Answer("302 Found", "Location: https://portal.example/login?\x1b[2J\x1b]0;pwned\x07\r\n",
                "<html>sign in first</html>");
  CommandResult out = device.Uxp({"opt-out"}, "2");
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("opted out"), std::string::npos) << out.out;
  EXPECT_NE(out.out.find("deletion pending"), std::string::npos) << out.out;
  EXPECT_EQ(out.out.find("deletion-request sent"), std::string::npos) << out.out;
  EXPECT_NE(out.out.find("HTTP 302"), std::string::npos) << out.out;
  EXPECT_FALSE(HasControlCharacters(out.out + out.err)) << out.out << out.err;
  EXPECT_GE(DeletionRequestsFor(server).size(), 1u);  // tried, redirected, not followed

  json pending = device.Status();
  EXPECT_FALSE(pending["enabled"].get<bool>());
  EXPECT_TRUE(pending["client_id"].is_null());
  EXPECT_EQ(pending["deletion_pending"], true) << pending;
  EXPECT_EQ(pending["pending_deletion_requests"], 1) << pending;

  // Still redirected: `upload` says the ping stays queued and exits 1.
  CommandResult still = device.Uxp({"upload"}, "1");
  EXPECT_NE(still.exit_code, 0);
  EXPECT_FALSE(HasControlCharacters(still.out + still.err)) << still.err;
  EXPECT_EQ(device.Status()["pending_deletion_requests"], 1);

  const size_t tries = DeletionRequestsFor(server).size();
  server.Answer("200 OK", "Content-Type: application/json\r\n", R"({"status":"stored"})");
  CommandResult up = device.Uxp({"upload", "--json"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(json::parse(up.out)["sent"], 1) << up.out;
  const std::vector<std::string> ids = DeletionRequestsFor(server);
  ASSERT_EQ(ids.size(), tries + 1);
  EXPECT_EQ(ids.back(), client_id);  // the wiped id, kept in the queued ping for exactly this
  for (const auto& id : ids) EXPECT_EQ(id, client_id);

  json done = device.Status();
  EXPECT_EQ(done["deletion_pending"], false) << done;
  EXPECT_EQ(done["pending_deletion_requests"], 0) << done;
}

TEST(AgentHostileServerE2E, ServerErrorTextIsEscapedOnTheTerminal) {
  Region region(1);
  ScriptedHttpServer server;
  server.Answer("403 Forbidden", "Content-Type: application/json\r\n",
                json{{"error", "unknown_device"},
                     {"message", "go away\n\x1b[1Ahomeport: activated\xc2\x9b\x7f"}}
                    .dump());
  CommandResult out = Homeport({"agent", "activate", "--profile", region.Profile(1), "--manifest",
                                region.Manifest("sg", server.url()), "--state",
                                region.dir.File("state"), "--deadline", "2"});
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_NE(out.err.find("unknown_device: go away"), std::string::npos) << out.err;
  EXPECT_NE(out.err.find("\\x1b[1A"), std::string::npos) << out.err;
  EXPECT_FALSE(HasControlCharacters(out.err)) << out.err;
  // One line: the server cannot forge a second "homeport:" line.
  EXPECT_EQ(out.err.find('\n'), out.err.size() - 1) << out.err;
}

TEST(AgentHostileServerE2E, OutOfRangeOptionValuesAreRefusedByName) {
  Region region(1);
  const std::string manifest = region.Manifest("sg", "http://127.0.0.1:9");
  for (const char* deadline : {"1e17", "nan", "inf", "0", "1e400"}) {
    SCOPED_TRACE(deadline);
    CommandResult out =
        Homeport({"agent", "uxp", "status", "--profile", region.Profile(1), "--manifest", manifest,
                  "--state", region.dir.File("state"), "--deadline", deadline});
    EXPECT_NE(out.exit_code, 0);
    EXPECT_NE((out.out + out.err).find("--deadline"), std::string::npos) << out.out << out.err;
    EXPECT_NE((out.out + out.err).find("604800"), std::string::npos) << out.out << out.err;
  }
  const std::vector<std::vector<std::string>> refused = {
      {"fleet", "simulate", "--batch", region.batch_dir, "--manifest", manifest, "--devices", "1",
       "--uxp-share", "nan"},
      {"fleet", "simulate", "--batch", region.batch_dir, "--manifest", manifest, "--devices",
       "99999999999999999999"},
      {"fleet", "simulate", "--batch", region.batch_dir, "--manifest", manifest, "--devices", "1",
       "--duration", "1e300"},
      {"serve", "--region", "sg", "--store", region.store_url, "--client-rate", "0"},
      {"serve", "--region", "sg", "--store", region.store_url, "--queue", "0"},
      {"factory", "batch", "--root-key", region.root_key, "--count", "1e9", "--model", "M", "--sku",
       "S", "--variant", "global", "--region", "sg", "--batch", "B9", "--out",
       region.dir.File("b9")},
  };
  for (const auto& args : refused) {
    SCOPED_TRACE(args[args.size() - 2] + " " + args.back());
    CommandResult out = Homeport(args);
    EXPECT_NE(out.exit_code, 0);
    // The factory case names --count, which is not last; every other case names the last flag.
    const std::string flag = args[0] == "factory" ? "--count" : args[args.size() - 2];
    EXPECT_NE((out.out + out.err).find(flag), std::string::npos) << out.out << out.err;
  }
}

}  // namespace
}  // namespace homeport::e2e
