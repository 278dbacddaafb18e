// End-to-end harness: runs the real `homeport` binary as child processes, talks to servers over
// loopback sockets with a minimal HTTP/1.1 client, and builds a maker/region setup in a temp dir.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "../common/testing_temp_dir.h"

namespace homeport::e2e {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  // The process's peak resident set in KiB (wait4's ru_maxrss). It includes what the test
  // process held when it forked the child, so measure from a test that holds little.
  long peak_rss_kib = 0;
};

// Runs `homeport ARGS…` to completion (killed after `timeout`, four times that in a sanitized
// build).
CommandResult Homeport(const std::vector<std::string>& args,
                       std::chrono::seconds timeout = std::chrono::seconds(60));

// A long-running `homeport serve`. The port is read from its "listening on" line.
class ServerProcess {
 public:
  // `open_file_limit` > 0: the server starts with that soft and hard RLIMIT_NOFILE, as under
  // `prlimit --nofile=N:N`.
  ServerProcess(const std::vector<std::string>& serve_args, uint64_t open_file_limit = 0);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool started() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  // The operator endpoints' port (/metrics, /v1/admin/…): --admin-listen 127.0.0.1:0 unless
  // the test gives its own --admin-listen.
  uint16_t admin_port() const { return admin_port_; }
  pid_t pid() const { return pid_; }
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
  uint16_t admin_port_ = 0;
  bool tls_ = false;
  std::string output_;
  std::string log_path_;
};

struct HttpResult {
  int status = 0;                              // 0: no answer (connection failed or closed)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// A blocking TCP connection to 127.0.0.1:port whose reads give up after the timeout; -1 when
// nothing is listening.
int Connect(uint16_t port, int receive_timeout_seconds = 30);
// Writes all of `data`; false when the peer is gone.
bool SendAll(int fd, std::string_view data);

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
  // Keys, a batch of `devices` sg devices ("B1-000001"…), enrolled into `store_url`, by
  // default sqlite:<dir>/sg.db.
  explicit Region(int devices = 3, const std::string& store_url = "");
  // Signs a manifest for `region` pointing at `base_url`; returns its path.
  std::string Manifest(const std::string& region, const std::string& base_url, int version = 1,
                       const std::string& variants = "global");
  std::string Profile(int n) const;  // path of device n's profile (1-based)
  std::string Serial(int n) const;
};

// An activation request built and signed by hand from a device profile, as a client other than
// the agent would send it: the body and its headers (content type, detached signature).
struct SignedActivation {
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};
SignedActivation HandMadeActivation(const std::string& profile_path,
                                    const std::string& region_claim,
                                    const std::string& client_version = "1.0.0",
                                    int64_t manifest_version = 1, int64_t sequence = 1);

// A UUIDv4-shaped id, distinct for each `n` and `tag`.
std::string Uuid(unsigned tag, unsigned n);

// A Glean document of the homeport-agent app, as an SDK other than the agent sends it;
// `metrics_json` is the document's "metrics" object.
std::string GleanBody(const std::string& client_id, const std::string& metrics_json);

// Returns once the server's ingest loader has moved everything acknowledged into the store
// (GET /healthz: ingest.unloaded_bytes is 0), so that a test may read the store directly.
// False after 10 s.
bool WaitForIngest(uint16_t port);
// WaitForIngest for every ServerProcess of this test process that is running.
bool WaitForIngestOfRunningServers();
// The ports of the running ServerProcesses; with a port, first records it as running or not.
std::vector<uint16_t> RunningServers(uint16_t port = 0, bool running = true);

// POST /submit/homeport-agent/<ping>/1/<doc_id>; after a 200, WaitForIngest.
HttpResult Submit(uint16_t port, const std::string& ping, const std::string& doc_id,
                  const std::string& body,
                  std::vector<std::pair<std::string, std::string>> headers = {
                      {"Content-Type", "application/json"}});

}  // namespace homeport::e2e
