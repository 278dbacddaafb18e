// TcpProxy: a loopback TCP relay a test puts between a client and a server (homeport and its
// PostgreSQL) to make the server "go away" and come back without stopping it: Cut() closes
// every relayed connection and turns new ones away; Restore() relays again. Pause() keeps every
// connection open but moves no byte, as a stopped (SIGSTOP) or frozen server looks from the
// network; Resume() moves them again.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace homeport::testing {

class TcpProxy {
 public:
  explicit TcpProxy(uint16_t upstream_port) : upstream_port_(upstream_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      throw std::runtime_error("TcpProxy: cannot listen on loopback");
    }
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~TcpProxy() {
    stop_ = true;
    Cut();
    acceptor_.join();
    for (auto& t : relays_) t.join();
    ::close(listen_fd_);
  }

  uint16_t port() const { return port_; }

  void Cut() {
    down_ = true;
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  void Restore() { down_ = false; }
  void Pause() { paused_ = true; }
  void Resume() { paused_ = false; }

 private:
  void AcceptLoop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int client = ::accept(listen_fd_, nullptr, nullptr);
      if (client < 0) continue;
      if (down_) {
        ::close(client);  // the server is "down": the connection ends at once
        continue;
      }
      int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(upstream_port_);
      if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(server);
        ::close(client);
        continue;
      }
      {
        std::lock_guard lock(mu_);
        open_fds_.push_back(client);
        open_fds_.push_back(server);
      }
      relays_.emplace_back([this, client, server] { Relay(client, server); });
    }
  }

  void Relay(int a, int b) {
    char buf[16384];
    pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    while (!stop_ && !down_) {
      if (paused_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      if (::poll(fds, 2, 50) <= 0) continue;
      bool done = false;
      for (int i = 0; i < 2 && !done; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
        if (n <= 0) {
          done = true;
          break;
        }
        for (ssize_t off = 0; off < n;) {
          ssize_t w = ::send(fds[1 - i].fd, buf + off, static_cast<size_t>(n - off), MSG_NOSIGNAL);
          if (w <= 0) {
            done = true;
            break;
          }
          off += w;
        }
      }
      if (done) break;
    }
    std::lock_guard lock(mu_);
    std::erase(open_fds_, a);
    std::erase(open_fds_, b);
    ::close(a);
    ::close(b);
  }

  const uint16_t upstream_port_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false}, down_{false}, paused_{false};
  std::mutex mu_;
  std::vector<int> open_fds_;
  std::thread acceptor_;
  std::vector<std::thread> relays_;
};

}  // namespace homeport::testing
