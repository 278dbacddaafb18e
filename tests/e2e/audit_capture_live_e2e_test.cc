// `homeport audit capture` reading a capture from standard input and capturing live on the
// loopback interface with traffic the test sends itself, and the provenance every report form
// carries: its input_sha256 recomputed independently (the capture file's SHA-256; the build
// tree's by scripts/tree-sha256.py). Live capture needs root or CAP_NET_RAW: without it those
// tests skip, saying so.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "../audit/capture_scenes.h"
#include "crypto/ed25519.h"
#include "e2e_support.h"

namespace homeport::e2e {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `homeport ARGS…` in the background, stdin from `stdin_path` (default /dev/null), stdout and
// stderr into files, so that a test can send it signals and read what it printed so far.
class Background {
 public:
  Background(const testing::TempDir& dir, const std::vector<std::string>& args,
             const std::string& stdin_path = "/dev/null")
      : out_(dir.File("out-" + std::to_string(++count_))),
        err_(dir.File("err-" + std::to_string(count_))) {
    pid_ = fork();
    if (pid_ == 0) {
      const int in = open(stdin_path.c_str(), O_RDONLY);
      const int out = open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int err = open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(HOMEPORT_BIN));
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(HOMEPORT_BIN, argv.data());
      _exit(127);
    }
  }
  ~Background() {
    if (pid_ > 0 && exit_code_ < 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // Waits until stderr holds `text` or the process ended; true for the former.
  bool WaitForErr(const std::string& text, std::chrono::seconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (err().find(text) != std::string::npos) return true;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return err().find(text) != std::string::npos;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  // The exit code, or -1 when it has not ended within `timeout`.
  int Wait(std::chrono::seconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (exit_code_ < 0 && std::chrono::steady_clock::now() < end) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return exit_code_;
  }
  void Signal(int sig) { kill(pid_, sig); }
  int exit_code() const { return exit_code_; }
  std::string out() const { return Slurp(out_); }
  std::string err() const { return Slurp(err_); }

 private:
  static inline int count_ = 0;
  std::string out_, err_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// A TCP listener on 127.0.0.1 that answers one HTTP request with 204.
class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 4);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Listener() { close(fd_); }
  uint16_t port() const { return port_; }

  // Sends `request` from a client socket and serves it; returns once both sides closed.
  void Exchange(const std::string& request) {
    const int client = Connect(port_, 5);
    ASSERT_GE(client, 0);
    ASSERT_TRUE(SendAll(client, request));
    const int server = accept(fd_, nullptr, nullptr);
    ASSERT_GE(server, 0);
    char buffer[4096];
    std::string got;
    while (got.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = read(server, buffer, sizeof buffer);
      if (n <= 0) break;
      got.append(buffer, static_cast<size_t>(n));
    }
    const std::string answer = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
    ASSERT_TRUE(SendAll(server, answer));
    close(server);
    while (read(client, buffer, sizeof buffer) > 0) {
    }
    close(client);
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

const std::string kImei = "490154203237518";

std::string LeakRequest() {
  return "GET /register?imei=" + kImei +
         "&lang=en HTTP/1.1\r\nHost: zzhc.vnet.cn\r\nUser-Agent: test\r\n\r\n";
}

// Starts a live capture on lo; skips the test (returns false) where capturing is not allowed.
bool StartLive(Background& capture) {
  if (capture.WaitForErr("capturing on lo", std::chrono::seconds(20))) return true;
  const std::string err = capture.err();
  if (err.find("no permission to capture") != std::string::npos) {
    return false;
  }
  ADD_FAILURE() << "the capture did not start: " << err;
  return false;
}

// The destination the request went to, from the JSON report.
nlohmann::json FindDestination(const nlohmann::json& report, const std::string& name) {
  for (const auto& d : report["destinations"]) {
    if (d.dump().find(name) != std::string::npos) return d;
  }
  return {};
}

void ExpectTheLeakReported(const nlohmann::json& j) {
  const nlohmann::json d = FindDestination(j, "zzhc.vnet.cn");
  ASSERT_FALSE(d.is_null()) << j.dump(2);
  EXPECT_THAT(d.dump(), HasSubstr("\"imei\"")) << d.dump(2);
  EXPECT_THAT(d.dump(), HasSubstr("127.0.0.1"));
}

void ExpectProvenance(const nlohmann::json& p, const std::string& kind) {
  EXPECT_THAT(p["homeport_version"].get<std::string>(), ::testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));
  EXPECT_FALSE(p["commit"].get<std::string>().empty());
  EXPECT_THAT(p["audited_at"].get<std::string>(),
              ::testing::MatchesRegex("20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T.*Z"));
  EXPECT_EQ(p["input_kind"], kind);
  EXPECT_EQ(p["input_sha256"].get<std::string>().size(), 64u) << p.dump(2);
}

TEST(AuditCaptureLiveE2e, CapturesOnLoopbackForItsDurationAndReports) {
  testing::TempDir dir;
  Listener listener;
  const std::string saved = dir.File("saved.pcap");
  Background capture(dir, {"audit", "capture", "--interface", "lo", "--duration", "3",
                           "--filter", "tcp port " + std::to_string(listener.port()), "--write",
                           saved, "--json"});
  if (!StartLive(capture)) GTEST_SKIP() << "live capture needs root or CAP_NET_RAW";
  listener.Exchange(LeakRequest());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(capture.Wait(std::chrono::seconds(20)), 0) << capture.err() << capture.out();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  const auto j = nlohmann::json::parse(capture.out());
  ExpectTheLeakReported(j);
  const auto& p = j["provenance"];
  ExpectProvenance(p, "live");
  EXPECT_EQ(p["interface"], "lo");
  EXPECT_EQ(p["frames_dropped"], 0);
  EXPECT_TRUE(p["capture_start"].is_string());
  EXPECT_TRUE(p["capture_end"].is_string());
  // The digest is of the pcap file the capture wrote: anyone can check it with sha256sum.
  EXPECT_EQ(p["input_sha256"], crypto::Sha256Hex(Slurp(saved)));
  // And that file is a capture of the same traffic.
  CommandResult again = Homeport({"audit", "capture", saved, "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  ExpectTheLeakReported(nlohmann::json::parse(again.out));
}

TEST(AuditCaptureLiveE2e, CtrlCEndsTheCaptureEarlyAndStillReports) {
  testing::TempDir dir;
  Listener listener;
  Background capture(dir, {"audit", "capture", "--interface", "lo", "--filter",
                           "tcp port " + std::to_string(listener.port()), "--policy",
                           HOMEPORT_SOURCE_DIR "/examples/policy-sg.json", "--json"});
  if (!StartLive(capture)) GTEST_SKIP() << "live capture needs root or CAP_NET_RAW";
  listener.Exchange(LeakRequest());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  capture.Signal(SIGINT);
  // The IMEI in the clear is a violation of the sg policy: exit 1, with the report.
  ASSERT_EQ(capture.Wait(std::chrono::seconds(10)), 1) << capture.err() << capture.out();
  const auto j = nlohmann::json::parse(capture.out());
  ExpectTheLeakReported(j);
  ExpectProvenance(j["provenance"], "live");
  EXPECT_EQ(j["provenance"]["policy"]["region"], "sg");
}

TEST(AuditCaptureLiveE2e, SigtermEndsAnIdleCaptureWithAnEmptyReport) {
  testing::TempDir dir;
  Background capture(dir, {"audit", "capture", "--interface", "lo", "--filter",
                           "tcp port 9 and host 192.0.2.1", "--json"});
  if (!StartLive(capture)) GTEST_SKIP() << "live capture needs root or CAP_NET_RAW";
  capture.Signal(SIGTERM);
  ASSERT_EQ(capture.Wait(std::chrono::seconds(10)), 0) << capture.err();
  const auto j = nlohmann::json::parse(capture.out());
  EXPECT_TRUE(j["provenance"]["capture_start"].is_null());
  ExpectProvenance(j["provenance"], "live");
}

TEST(AuditCaptureLiveE2e, BadFiltersAndInterfacesAreClearErrors) {
  testing::TempDir dir;
  CommandResult bad = Homeport({"audit", "capture", "--interface", "lo", "--filter",
                                "tcp prot 80", "--duration", "1"});
  if (bad.err.find("no permission to capture") != std::string::npos) {
    GTEST_SKIP() << "live capture needs root or CAP_NET_RAW";
  }
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_THAT(bad.err, HasSubstr("capture filter \"tcp prot 80\" is not valid"));
  CommandResult unknown =
      Homeport({"audit", "capture", "--interface", "nosuch0", "--duration", "1"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  EXPECT_THAT(unknown.err, HasSubstr("no interface \"nosuch0\""));
}

TEST(AuditCaptureInputE2e, FileStandardInputAndInterfaceAreExclusive) {
  testing::TempDir dir;
  testing::CaptureWriter w;
  testing::WriteCleanSession(w);
  const std::string pcap = dir.File("clean.pcap");
  testing::CaptureWriter::Write(pcap, w.Pcap());
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"audit", "capture", pcap, "--interface", "lo"}, "not both"},
      {{"audit", "capture", "--json"}, "needs a capture"},
      {{"audit", "capture", pcap, "--duration", "3"}, "--duration applies to a live capture"},
      {{"audit", "capture", pcap, "--filter", "tcp"}, "--filter applies to a live capture"},
      {{"audit", "capture", "--interface", "lo", "--duration", "soon"},
       "--duration must be a number of seconds"},
      {{"audit", "capture", "--interface", "lo", "--duration", "-1"},
       "--duration must be a number of seconds"},
  };
  for (const auto& [args, message] : cases) {
    CommandResult r = Homeport(args);
    EXPECT_EQ(r.exit_code, 2) << message << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(message));
  }
}

TEST(AuditCaptureInputE2e, ReadsACaptureFromStandardInput) {
  testing::TempDir dir;
  for (bool pcapng : {false, true}) {
    testing::CaptureWriter w;
    testing::Write2019Leak(w);
    const std::string bytes = pcapng ? w.Pcapng() : w.Pcap();
    const std::string file = dir.File(pcapng ? "leak.pcapng" : "leak.pcap");
    testing::CaptureWriter::Write(file, bytes);
    // Through a real pipe, as `tcpdump -w - | homeport audit capture -` would.
    const std::string out = dir.File("report.json");
    const std::string command = "cat '" + file + "' | '" HOMEPORT_BIN "' audit capture - --json > '" +
                                out + "'";
    const int status = std::system(command.c_str());
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);  // an inventory: no policy
    const auto j = nlohmann::json::parse(Slurp(out));
    const nlohmann::json d = FindDestination(j, "zzhc.vnet.cn");
    EXPECT_FALSE(d.is_null()) << j.dump(2);
    ExpectProvenance(j["provenance"], "stream");
    // The digest of what came through the pipe is the file's SHA-256.
    EXPECT_EQ(j["provenance"]["input_sha256"], crypto::Sha256Hex(bytes));
    EXPECT_EQ(j["provenance"]["capture_start"], "2023-11-14T22:13:20.000Z");
  }
}

TEST(AuditCaptureInputE2e, GarbageOnStandardInputIsExit2WithAClearMessage) {
  testing::TempDir dir;
  const std::string garbage = dir.File("garbage");
  std::ofstream(garbage) << "GET / HTTP/1.1\r\nthis is not a capture\r\n";
  Background r(dir, {"audit", "capture", "-"}, garbage);
  ASSERT_EQ(r.Wait(std::chrono::seconds(20)), 2);
  EXPECT_THAT(r.err(), HasSubstr("standard input: not a readable pcap or pcapng file"));
  EXPECT_TRUE(r.out().empty()) << r.out();

  Background empty(dir, {"audit", "capture", "-"}, "/dev/null");
  ASSERT_EQ(empty.Wait(std::chrono::seconds(20)), 2);
  EXPECT_THAT(empty.err(), HasSubstr("standard input: empty, not a pcap or pcapng capture"));
}

TEST(AuditCaptureProvenanceE2e, EveryFormOfACaptureReportCarriesIt) {
  testing::TempDir dir;
  testing::CaptureWriter w;
  testing::Write2019Leak(w);
  const std::string bytes = w.Pcap();
  const std::string pcap = dir.File("leak.pcap");
  testing::CaptureWriter::Write(pcap, bytes);
  const std::string policy = HOMEPORT_SOURCE_DIR "/examples/policy-sg.json";
  const std::string html = dir.File("report.html");
  CommandResult json = Homeport({"audit", "capture", pcap, "--policy", policy, "--json", "--html", html});
  ASSERT_EQ(json.exit_code, 1) << json.err;
  const auto p = nlohmann::json::parse(json.out)["provenance"];
  ExpectProvenance(p, "file");
  EXPECT_EQ(p["input_sha256"], crypto::Sha256Hex(bytes));
  EXPECT_EQ(p["capture_start"], "2023-11-14T22:13:20.000Z");
  EXPECT_TRUE(p["capture_end"].is_string());
  EXPECT_THAT(p["policy"]["origin"].get<std::string>(), HasSubstr(policy));
  EXPECT_EQ(p["policy"]["region"], "sg");
  EXPECT_TRUE(p["geo"].contains("country")) << p.dump(2);
  // `homeport --version` names the same commit.
  CommandResult version = Homeport({"--version"});
  EXPECT_THAT(version.out, HasSubstr("commit " + p["commit"].get<std::string>()));

  CommandResult text = Homeport({"audit", "capture", pcap, "--policy", policy});
  EXPECT_THAT(text.out, HasSubstr("Provenance\n"));
  EXPECT_THAT(text.out, HasSubstr(crypto::Sha256Hex(bytes)));
  const std::string page = Slurp(html);
  EXPECT_THAT(page, HasSubstr("<h2>Provenance</h2>"));
  EXPECT_THAT(page, HasSubstr(crypto::Sha256Hex(bytes)));
}

TEST(AuditBuildProvenanceE2e, EveryFormCarriesItAndTheTreeDigestIsRecomputable) {
  testing::TempDir dir;
  const std::string key = dir.File("root.key");
  ASSERT_EQ(Homeport({"keys", "new", "--out", key}).exit_code, 0);
  const std::string tree = dir.File("tree");
  fs::create_directories(tree + "/system/etc");
  fs::create_directories(tree + "/a");
  std::ofstream(tree + "/system/etc/hosts") << "api.sg.example.com\n";
  std::ofstream(tree + "/a.txt") << "a file beside a directory of almost the same name\n";
  std::ofstream(tree + "/a/b") << std::string("binary\0\xff", 8);
  const std::string policy = dir.File("policy.json");
  std::ofstream(policy) << R"({"region": "sg", "allow_hosts": ["*.sg.example.com"]})";
  const std::string html = dir.File("build.html");
  const std::vector<std::string> audit = {"audit", "build", tree, "--root-pub", key + ".pub",
                                          "--policy", policy};
  std::vector<std::string> with_json = audit;
  with_json.insert(with_json.end(), {"--json", "--html", html});
  CommandResult json = Homeport(with_json);
  ASSERT_EQ(json.exit_code, 0) << json.err << json.out;
  const auto p = nlohmann::json::parse(json.out)["provenance"];
  ExpectProvenance(p, "tree");
  EXPECT_FALSE(p.contains("capture_start"));
  EXPECT_THAT(p["policy"]["origin"].get<std::string>(), HasSubstr(policy));

  // The documented recipe, in Python, gives the same digest.
  const std::string recomputed = dir.File("recomputed");
  const std::string command = "python3 " HOMEPORT_SOURCE_DIR "/scripts/tree-sha256.py '" + tree +
                              "' > '" + recomputed + "'";
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_EQ(p["input_sha256"].get<std::string>() + "\n", Slurp(recomputed));

  CommandResult text = Homeport(audit);
  EXPECT_THAT(text.out, HasSubstr("Provenance\n"));
  EXPECT_THAT(text.out, HasSubstr(p["input_sha256"].get<std::string>()));
  const std::string page = Slurp(html);
  EXPECT_THAT(page, HasSubstr("<h2>Provenance</h2>"));
  EXPECT_THAT(page, HasSubstr(p["input_sha256"].get<std::string>()));

  // Any change to the tree changes the digest.
  std::ofstream(tree + "/a/b", std::ios::app) << "!";
  CommandResult after = Homeport(with_json);
  EXPECT_NE(nlohmann::json::parse(after.out)["provenance"]["input_sha256"], p["input_sha256"]);
}

}  // namespace
}  // namespace homeport::e2e
