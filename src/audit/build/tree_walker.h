// The files of a firmware tree, in a stable order (names sorted byte-wise in each directory),
// with paths relative to the tree's root. Symbolic links are reported and never followed: a
// link may point out of the tree or into a loop, and its target, if inside, is scanned anyway.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "homeport/status.h"

namespace homeport::audit::build {

struct TreeEntry {
  enum class Type {
    kFile,     // a regular file: scan it
    kSymlink,  // not followed
    kOther,    // device, FIFO, socket: never opened (reading a FIFO would block)
    kError,    // could not be listed or examined; `error` says why
  };
  Type type = Type::kFile;
  std::string path;      // for opening
  std::string relative;  // for reports: "system/app/Activation.apk"
  uint64_t size = 0;     // kFile only
  std::string error;     // kError only
};

// Calls `visit` for every entry below `root`. `root` may also be a single file, reported
// under its own name. Errors inside the tree reach `visit` as kError entries; the Status is
// an error only when `root` itself cannot be used.
Status WalkTree(const std::string& root, const std::function<void(const TreeEntry&)>& visit);

}  // namespace homeport::audit::build
