// The real Env: POSIX files with fsync, the system clock, the kernel's random source.
#include "homeport/env.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

namespace homeport {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ErrnoStatus("cannot fsync directory", dir);
  return Status::Ok();
}

class PosixEnv final : public Env {
 public:
  TimePoint Now() override { return std::chrono::system_clock::now(); }
  void SleepFor(std::chrono::milliseconds d) override { std::this_thread::sleep_for(d); }

  uint64_t RandomU64() override {
    uint64_t v = 0;
    while (::getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v)) {
    }
    return v;
  }

  Result<std::string> ReadFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return Status::NotFound("no such file: " + path);
      return ErrnoStatus("cannot open", path);
    }
    std::string out;
    char buf[1 << 16];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        Status st = ErrnoStatus("cannot read", path);
        ::close(fd);
        return st;
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
  }

  Status WriteFileAtomic(const std::string& path, std::string_view data, unsigned mode) override {
    std::filesystem::path p(path);
    std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
    std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
                      std::to_string(RandomU64() % 1000000);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return ErrnoStatus("cannot create", tmp);
    // open() applies the umask; the mode asked for is the mode wanted (0600 for secrets).
    Status st = ::fchmod(fd, mode) == 0 ? WriteAll(fd, data, tmp) : ErrnoStatus("cannot chmod", tmp);
    if (st.ok() && ::fsync(fd) != 0) st = ErrnoStatus("cannot fsync", tmp);
    ::close(fd);
    if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = ErrnoStatus("cannot rename to", path);
    if (!st.ok()) {
      ::unlink(tmp.c_str());
      return st;
    }
    return FsyncDir(dir);
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Status CreateDirs(const std::string& path) override {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Status::IoError("cannot create directory " + path + ": " + ec.message());
    return Status::Ok();
  }

  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    std::error_code ec;
    std::vector<std::string> names;
    for (auto it = std::filesystem::directory_iterator(path, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      names.push_back(it->path().filename().string());
    }
    if (ec) return Status::IoError("cannot list " + path + ": " + ec.message());
    return names;
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("cannot remove", path);
    return Status::Ok();
  }
};

class PosixAppendableFile final : public AppendableFile {
 public:
  PosixAppendableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixAppendableFile() override { ::close(fd_); }

  Status Append(std::string_view data) override { return WriteAll(fd_, data, path_); }
  Status Sync() override {
    if (::fdatasync(fd_) != 0) return ErrnoStatus("cannot fdatasync", path_);
    return Status::Ok();
  }
  Status Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return ErrnoStatus("cannot truncate", path_);
    return Status::Ok();
  }

 private:
  const int fd_;
  const std::string path_;
};

}  // namespace

Result<std::unique_ptr<AppendableFile>> Env::OpenAppendable(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      std::string dir = std::filesystem::path(path).parent_path().string();
      Status synced = FsyncDir(dir.empty() ? "." : dir);
      if (!synced.ok()) {
        ::close(fd);
        return synced;
      }
    }
  }
  if (fd < 0) return ErrnoStatus("cannot open for appending", path);
  return std::unique_ptr<AppendableFile>(new PosixAppendableFile(fd, path));
}

Result<std::string> Env::ReadRange(const std::string& path, uint64_t offset, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no such file: " + path);
    return ErrnoStatus("cannot open", path);
  }
  std::string out(max_bytes, '\0');
  size_t got = 0;
  while (got < max_bytes) {
    ssize_t n = ::pread(fd, out.data() + got, max_bytes - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = ErrnoStatus("cannot read", path);
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();
  return env;
}

}  // namespace homeport
