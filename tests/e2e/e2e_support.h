// End-to-end harness: runs the real `homeport` binary as child processes, talks to servers over
// loopback sockets with a minimal HTTP/1.1 client, and builds a maker/region setup in a temp dir.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "../common/testing_temp_dir.h"

namespace homeport::e2e {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `homeport ARGS…` to completion (killed after `timeout`).
CommandResult Homeport(const std::vector<std::string>& args,
                       std::chrono::seconds timeout = std::chrono::seconds(60));

// A long-running `homeport serve`. The port is read from its "listening on" line.
class ServerProcess {
 public:
  ServerProcess(const std::vector<std::string>& serve_args);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool started() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  std::string url() const;  // http(s)://127.0.0.1:PORT
  // Sends `sig` and waits for the exit; returns the exit status (128+signal when killed).
  int Signal(int sig);
  const std::string& output() const { return output_; }
  // Everything the server wrote to stderr (its log) so far.
  std::string log() const;

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  uint16_t port_ = 0;
  bool tls_ = false;
  std::string output_;
  std::string log_path_;
};

struct HttpResult {
  int status = 0;  // 0: no answer (connection failed or closed)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// One request on a fresh connection to 127.0.0.1:port.
HttpResult HttpCall(uint16_t port, const std::string& method, const std::string& path,
                    const std::vector<std::pair<std::string, std::string>>& headers = {},
                    const std::string& body = "");

// A loopback TCP port with nothing listening on it (bound to port 0, then released), for a
// client that must find no server until one is started there with --listen 127.0.0.1:PORT.
uint16_t UnusedPort();

// A keep-alive connection for several requests in a row.
class HttpConnection {
 public:
  explicit HttpConnection(uint16_t port);
  ~HttpConnection();
  bool connected() const { return fd_ >= 0; }
  HttpResult Call(const std::string& method, const std::string& path,
                  const std::vector<std::pair<std::string, std::string>>& headers,
                  const std::string& body);

 private:
  int fd_ = -1;
  std::string buffer_;
};

// A maker setup in a temp dir: root key, region manifests for sg (and cn), one batch of devices
// for sg enrolled into an sg store.
struct Region {
  testing::TempDir dir;
  std::string root_key, root_pub, store_url, batch_dir;
  // Keys, a batch of `devices` sg devices ("B1-000001"…), enrolled into sqlite:<dir>/sg.db.
  explicit Region(int devices = 3);
  // Signs a manifest for `region` pointing at `base_url`; returns its path.
  std::string Manifest(const std::string& region, const std::string& base_url, int version = 1,
                       const std::string& variants = "global");
  std::string Profile(int n) const;  // path of device n's profile (1-based)
  std::string Serial(int n) const;
};

}  // namespace homeport::e2e
