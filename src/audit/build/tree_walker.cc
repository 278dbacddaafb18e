// Depth-first directory walk over std::filesystem, with error codes rather than exceptions.
#include "audit/build/tree_walker.h"

#include <algorithm>
#include <filesystem>
#include <vector>

namespace homeport::audit::build {
namespace {

namespace fs = std::filesystem;

void Walk(const fs::path& dir, const std::string& relative,
          const std::function<void(const TreeEntry&)>& visit) {
  std::error_code ec;
  std::vector<fs::path> children;
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    children.push_back(it->path());
  }
  if (ec) {
    visit({TreeEntry::Type::kError, dir.string(), relative.empty() ? "." : relative, 0,
           "cannot list the directory: " + ec.message()});
    return;
  }
  std::sort(children.begin(), children.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  for (const fs::path& child : children) {
    const std::string name = child.filename().string();
    const std::string rel = relative.empty() ? name : relative + "/" + name;
    fs::file_status st = fs::symlink_status(child, ec);
    if (ec) {
      visit({TreeEntry::Type::kError, child.string(), rel, 0, "cannot examine: " + ec.message()});
      continue;
    }
    if (fs::is_symlink(st)) {
      visit({TreeEntry::Type::kSymlink, child.string(), rel, 0, {}});
    } else if (fs::is_directory(st)) {
      Walk(child, rel, visit);
    } else if (fs::is_regular_file(st)) {
      uint64_t size = fs::file_size(child, ec);
      visit({TreeEntry::Type::kFile, child.string(), rel, ec ? 0 : size, {}});
    } else {
      visit({TreeEntry::Type::kOther, child.string(), rel, 0, {}});
    }
  }
}

}  // namespace

Status WalkTree(const std::string& root, const std::function<void(const TreeEntry&)>& visit) {
  std::error_code ec;
  fs::file_status st = fs::status(root, ec);
  if (ec || !fs::exists(st)) {
    return Status::NotFound(root + ": no such directory");
  }
  if (fs::is_regular_file(st)) {
    uint64_t size = fs::file_size(root, ec);
    visit({TreeEntry::Type::kFile, root, fs::path(root).filename().string(), ec ? 0 : size, {}});
    return Status::Ok();
  }
  if (!fs::is_directory(st)) {
    return Status::InvalidArgument(root + ": not a directory or a regular file");
  }
  fs::directory_iterator probe(root, ec);
  if (ec) return Status::IoError(root + ": cannot list the directory: " + ec.message());
  Walk(root, "", visit);
  return Status::Ok();
}

}  // namespace homeport::audit::build
