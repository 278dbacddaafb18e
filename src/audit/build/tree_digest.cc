#include "audit/build/tree_digest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "audit/build/tree_walker.h"
#include "audit/sha256_hasher.h"

namespace homeport::audit::build {
namespace {

constexpr size_t kPiece = 1 << 20;

struct FileToHash {
  std::string relative;
  std::string path;
};

// Adds one file's record to `hasher`; an error message when it could not be read whole.
std::string HashFile(const FileToHash& f, Sha256Hasher& hasher, char* buffer, uint64_t* bytes,
                     const TreeDigestLimits& limits) {
  const int fd = open(f.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return f.relative + ": cannot read: " + std::strerror(errno);
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return f.relative + ": no longer a regular file";
  }
  const auto length = static_cast<uint64_t>(st.st_size);
  hasher.Update(f.relative);
  hasher.Update(std::string_view("\0", 1));
  hasher.Update(std::to_string(length));
  hasher.Update(std::string_view("\0", 1));
  uint64_t read_so_far = 0;
  std::string problem;
  for (;;) {
    const ssize_t n = read(fd, buffer, kPiece);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      problem = f.relative + ": cannot read: " + std::strerror(errno);
      break;
    }
    if (n == 0) break;
    if (std::chrono::steady_clock::now() > limits.deadline) {
      problem = "not computed: reading the tree took longer than the time budget (--max-seconds)";
      break;
    }
    read_so_far += static_cast<uint64_t>(n);
    if (read_so_far > length) break;
    hasher.Update(std::string_view(buffer, static_cast<size_t>(n)));
  }
  close(fd);
  if (problem.empty() && read_so_far != length) {
    problem = f.relative + ": changed while it was read (" + std::to_string(length) +
              " bytes, then " + std::to_string(read_so_far) + ")";
  }
  *bytes += read_so_far;
  return problem;
}

}  // namespace

Result<TreeDigest> DigestTree(const std::string& root, const TreeDigestLimits& limits) {
  std::vector<FileToHash> files;
  uint64_t total = 0;
  HOMEPORT_RETURN_IF_ERROR(WalkTree(root, [&](const TreeEntry& e) {
    if (e.type != TreeEntry::Type::kFile) return;
    files.push_back({e.relative, e.path});
    total += e.size;
  }));
  TreeDigest digest;
  if (limits.max_bytes > 0 && total > limits.max_bytes) {
    digest.problem = "not computed: the tree's files hold " + std::to_string(total) +
                     " bytes, more than the byte budget (--max-bytes) of " +
                     std::to_string(limits.max_bytes);
    return digest;
  }
  // WalkTree sorts names within each directory, which is not the order of whole paths
  // ("a/b" comes before "a.txt" there, after it here).
  std::sort(files.begin(), files.end(),
            [](const FileToHash& a, const FileToHash& b) { return a.relative < b.relative; });
  Sha256Hasher hasher;
  const auto buffer = std::make_unique<char[]>(kPiece);
  for (const FileToHash& f : files) {
    std::string problem = HashFile(f, hasher, buffer.get(), &digest.bytes, limits);
    if (!problem.empty()) {
      digest.problem = std::move(problem);
      digest.bytes = 0;
      return digest;
    }
    ++digest.files;
  }
  digest.sha256 = hasher.FinishHex();
  return digest;
}

}  // namespace homeport::audit::build
