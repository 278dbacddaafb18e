// A PostgreSQL server of a test's own, for what cannot be done to the shared one of `make
// test`: stopping every one of its processes with SIGSTOP, as a frozen VM or a stuck kernel
// leaves a database, and letting them go on. Started through scripts/with-postgres.sh, which
// removes it when this object ends (the script's command ends when its stdin closes).
#pragma once

#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace homeport::testing {

class PrivatePostgres {
 public:
  PrivatePostgres() {
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(to_child[0], 0);
      dup2(from_child[1], 1);
      close(to_child[1]);
      close(from_child[0]);
      const char* script = HOMEPORT_SOURCE_DIR "/scripts/with-postgres.sh";
      execl("/bin/bash", "bash", script, "sh", "-c",
            "echo \"$HOMEPORT_TEST_POSTGRES_URL $HOMEPORT_TEST_POSTGRES_DATA\"; exec cat >/dev/null",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    stdin_ = to_child[1];
    FILE* out = fdopen(from_child[0], "r");
    char line[4096];
    if (out != nullptr && std::fgets(line, sizeof line, out) != nullptr) {
      std::istringstream words(line);
      words >> url_ >> data_;
    }
    if (out != nullptr) std::fclose(out);
  }
  ~PrivatePostgres() {
    Resume();
    if (stdin_ >= 0) close(stdin_);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
  }
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  // postgresql://…; "" if the server did not start.
  const std::string& url() const { return url_; }

  // SIGSTOP to the postmaster and every process it started: connections stay open and the
  // kernel still acknowledges what is sent, but nothing answers.
  void Pause() {
    stopped_ = Processes();
    for (pid_t p : stopped_) kill(p, SIGSTOP);
  }
  void Resume() {
    for (auto p = stopped_.rbegin(); p != stopped_.rend(); ++p) kill(*p, SIGCONT);
    stopped_.clear();
  }

 private:
  // The postmaster (first line of postmaster.pid) and its children.
  std::vector<pid_t> Processes() const {
    std::vector<pid_t> out;
    std::ifstream pidfile(data_ + "/postmaster.pid");
    pid_t postmaster = 0;
    if (!(pidfile >> postmaster) || postmaster <= 0) return out;
    out.push_back(postmaster);
    DIR* proc = opendir("/proc");
    if (proc == nullptr) return out;
    while (dirent* e = readdir(proc)) {
      pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
      if (pid <= 0) continue;
      std::ifstream stat("/proc/" + std::string(e->d_name) + "/stat");
      std::string all((std::istreambuf_iterator<char>(stat)), {});
      // pid (comm) state ppid …: comm may hold spaces, so read after the last ')'.
      size_t close_paren = all.rfind(')');
      if (close_paren == std::string::npos) continue;
      std::istringstream rest(all.substr(close_paren + 1));
      std::string state;
      pid_t ppid = 0;
      rest >> state >> ppid;
      if (ppid == postmaster) out.push_back(pid);
    }
    closedir(proc);
    return out;
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  std::string url_, data_;
  std::vector<pid_t> stopped_;
};

}  // namespace homeport::testing
