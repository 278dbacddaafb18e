// Child processes, loopback HTTP and the maker setup used by the end-to-end tests.
#include "e2e_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "crypto/jws.h"
#include "homeport/env.h"
#include "provisioning/device_profile.h"

namespace homeport::e2e {
namespace {

pid_t Spawn(const std::vector<std::string>& args, int* out_fd, int* err_fd,
            uint64_t open_file_limit = 0) {
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    if (open_file_limit > 0) {
      rlimit limit{open_file_limit, open_file_limit};
      if (setrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(126);
    }
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(err[0]);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    std::vector<char*> argv;
    std::string bin = HOMEPORT_BIN;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  *out_fd = out[0];
  *err_fd = err[0];
  return pid;
}

// Reads what is available from fd into `into`; false at EOF.
bool Drain(int fd, std::string& into) {
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n > 0) into.append(buf, static_cast<size_t>(n));
  return n > 0;
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Parses one response from fd (buffer holds leftovers between calls).
HttpResult ReadResponse(int fd, std::string& buffer) {
  HttpResult r;
  size_t header_end;
  while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (!Drain(fd, buffer)) return r;
  }
  std::string head = buffer.substr(0, header_end);
  buffer.erase(0, header_end + 4);
  std::sscanf(head.c_str(), "HTTP/1.1 %d", &r.status);
  size_t pos = head.find("\r\n");
  while (pos != std::string::npos) {
    size_t next = head.find("\r\n", pos + 2);
    std::string line =
        head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers[name] = value;
    }
    pos = next;
  }
  size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
  while (buffer.size() < length) {
    if (!Drain(fd, buffer)) break;
  }
  r.body = buffer.substr(0, length);
  buffer.erase(0, std::min(length, buffer.size()));
  return r;
}

std::string Request(const std::string& method, const std::string& path,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    const std::string& body) {
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST")
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return req + "\r\n" + body;
}

}  // namespace

int Connect(uint16_t port, int receive_timeout_seconds) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  timeval tv{receive_timeout_seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

CommandResult Homeport(const std::vector<std::string>& args, std::chrono::seconds timeout) {
#if defined(__SANITIZE_ADDRESS__)
  timeout *= 4;  // a sanitized binary runs several times slower; the limits are for a real build
#endif
  CommandResult r;
  int out, err;
  pid_t pid = Spawn(args, &out, &err);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool out_open = true, err_open = true;
  while ((out_open || err_open) && std::chrono::steady_clock::now() < deadline) {
    pollfd fds[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
    poll(fds, 2, 100);
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP))) out_open = Drain(out, r.out);
    if (err_open && (fds[1].revents & (POLLIN | POLLHUP))) err_open = Drain(err, r.err);
  }
  if (out_open || err_open) kill(pid, SIGKILL);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  close(out);
  close(err);
  r.exit_code = ExitCode(status);
  r.peak_rss_kib = usage.ru_maxrss;
  return r;
}

ServerProcess::ServerProcess(const std::vector<std::string>& serve_args, uint64_t open_file_limit) {
  std::vector<std::string> args = {"serve"};
  args.insert(args.end(), serve_args.begin(), serve_args.end());
  if (std::find(args.begin(), args.end(), "--admin-listen") == args.end()) {
    args.insert(args.end(), {"--admin-listen", "127.0.0.1:0"});  // tests run side by side
  }
  char log_template[] = "/tmp/homeport-serve-log-XXXXXX";
  int log_fd = mkstemp(log_template);
  log_path_ = log_template;
  int err;
  pid_ = Spawn(args, &out_fd_, &err, open_file_limit);
  // The server's stderr is its log: copy it into a file the test can read at any time. The
  // copier lets go of the test's own stdout and stderr: should the test die, whoever reads
  // them (ctest) is not kept waiting for a server nobody stops.
  if (fork() == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    std::string buf;
    while (Drain(err, buf)) {
      if (write(log_fd, buf.data(), buf.size()) < 0) break;
      buf.clear();
    }
    _exit(0);
  }
  close(err);
  close(log_fd);
  static const std::regex kListening(R"(listening on (https?)://[^:]+:(\d+)\n)");
  static const std::regex kOperators(R"(operator endpoints on http://[^:]+:(\d+)\n)");
  const bool admin_apart = std::find(args.begin(), args.end(), "device-port") == args.end();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) > 0 && !Drain(out_fd_, output_)) break;
    std::smatch m, admin;
    if (std::regex_search(output_, m, kListening) &&
        (!admin_apart || std::regex_search(output_, admin, kOperators))) {
      tls_ = m[1] == "https";
      port_ = static_cast<uint16_t>(std::stoi(m[2]));
      admin_port_ = admin_apart ? static_cast<uint16_t>(std::stoi(admin[1])) : port_;
      RunningServers(port_, true);
      return;
    }
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Signal(SIGKILL);
  unlink(log_path_.c_str());
}

std::string ServerProcess::log() const {
  auto text = Env::Default()->ReadFile(log_path_);
  return text.ok() ? *text : std::string();
}

std::string ServerProcess::url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

int ServerProcess::Signal(int sig) {
  if (pid_ <= 0) return -1;
  if (port_ != 0) RunningServers(port_, false);
  kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  close(out_fd_);
  return ExitCode(status);
}

HttpResult HttpCall(uint16_t port, const std::string& method, const std::string& path,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    const std::string& body) {
  HttpConnection c(port);
  return c.Call(method, path, headers, body);
}

uint16_t UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);  // never listened on: no TIME_WAIT, the port is free again at once
  return port;
}

HttpConnection::HttpConnection(uint16_t port) : fd_(Connect(port)) {}
HttpConnection::~HttpConnection() {
  if (fd_ >= 0) close(fd_);
}

HttpResult HttpConnection::Call(const std::string& method, const std::string& path,
                                const std::vector<std::pair<std::string, std::string>>& headers,
                                const std::string& body) {
  if (fd_ < 0 || !SendAll(fd_, Request(method, path, headers, body))) return {};
  return ReadResponse(fd_, buffer_);
}

Region::Region(int devices, const std::string& url) {
  root_key = dir.File("root.key");
  root_pub = root_key + ".pub";
  store_url = url.empty() ? "sqlite:" + dir.File("sg.db") : url;
  batch_dir = dir.File("batch");
  auto run = [](const std::vector<std::string>& args) {
    CommandResult r = Homeport(args);
    if (r.exit_code != 0) ADD_FAILURE() << "homeport failed: " << r.err;
  };
  run({"keys", "new", "--out", root_key});
  run({"factory", "batch", "--root-pub", root_key + ".pub", "--count", std::to_string(devices), "--model",
       "HP7", "--sku", "HP7-64", "--variant", "global", "--region", "sg", "--batch", "B1", "--out",
       batch_dir});
  run({"enroll", "--store", store_url, "--region", "sg", batch_dir + "/enrollment.csv"});
}

std::string Region::Manifest(const std::string& region, const std::string& base_url, int version,
                             const std::string& variants) {
  std::string path = dir.File("manifest-" + region + "-v" + std::to_string(version) + ".jws");
  CommandResult r = Homeport({"manifest", "sign", "--root-key", root_key, "--region", region,
                              "--variant", variants, "--activation-url", base_url, "--uxp-url",
                              base_url, "--version", std::to_string(version), "--out", path});
  if (r.exit_code != 0) ADD_FAILURE() << "manifest sign failed: " << r.err;
  return path;
}

std::string Region::Serial(int n) const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "B1-%06d", n);
  return buf;
}

std::string Region::Profile(int n) const { return batch_dir + "/devices/" + Serial(n) + ".json"; }

SignedActivation HandMadeActivation(const std::string& profile_path,
                                    const std::string& region_claim,
                                    const std::string& client_version, int64_t manifest_version,
                                    int64_t sequence) {
  auto text = Env::Default()->ReadFile(profile_path);
  auto profile = ParseDeviceProfile(*text);
  auto key = DeviceKey(*profile);
  nlohmann::json body = {{"serial", profile->serial},
                         {"model", profile->model},
                         {"sku", profile->sku},
                         {"variant", profile->variant},
                         {"region", region_claim},
                         {"client_version", client_version},
                         {"manifest_version", manifest_version},
                         {"sequence", sequence}};
  SignedActivation s{body.dump(), {}};
  s.headers = {{"Content-Type", "application/json"},
               {"X-Homeport-Signature", crypto::SignDetached(s.body, *key)}};
  return s;
}

std::string Uuid(unsigned tag, unsigned n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012x", tag, n);
  return buf;
}

std::string GleanBody(const std::string& client_id, const std::string& metrics_json) {
  nlohmann::json body = {{"ping_info",
                          {{"seq", 0},
                           {"start_time", "2026-11-29T13:24+00:00"},
                           {"end_time", "2026-11-29T14:24+00:00"},
                           {"reason", "scheduled"}}},
                         {"client_info",
                          {{"client_id", client_id},
                           {"first_run_date", "2026-11-29+00:00"},
                           {"telemetry_sdk_build", "x"},
                           {"os", "Linux"},
                           {"os_version", "6.1"},
                           {"architecture", "x86_64"},
                           {"app_build", "1"},
                           {"app_display_version", "1.0.0"}}},
                         {"metrics", nlohmann::json::parse(metrics_json)}};
  return body.dump();
}

HttpResult Submit(uint16_t port, const std::string& ping, const std::string& doc_id,
                  const std::string& body,
                  std::vector<std::pair<std::string, std::string>> headers) {
  HttpResult r =
      HttpCall(port, "POST", "/submit/homeport-agent/" + ping + "/1/" + doc_id, headers, body);
  if (r.status == 200) {
    EXPECT_TRUE(WaitForIngest(port));
  }
  return r;
}

std::vector<uint16_t> RunningServers(uint16_t port, bool running) {
  static std::mutex mu;
  static std::set<uint16_t> ports;
  std::lock_guard lock(mu);
  if (port != 0) {
    if (running) {
      ports.insert(port);
    } else {
      ports.erase(port);
    }
  }
  return {ports.begin(), ports.end()};
}

bool WaitForIngestOfRunningServers() {
  bool all = true;
  for (uint16_t port : RunningServers()) all = WaitForIngest(port) && all;
  return all;
}

bool WaitForIngest(uint16_t port) {
  for (int i = 0; i < 1000; ++i) {
    HttpResult r = HttpCall(port, "GET", "/healthz", {}, "");
    if (r.status == 200) {
      auto health = nlohmann::json::parse(r.body, nullptr, false);
      if (!health.is_discarded() && health["ingest"]["unloaded_bytes"] == 0) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace homeport::e2e
