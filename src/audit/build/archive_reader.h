// Archives the build audit opens, through libarchive: zip (and so APK, JAR, AAR), tar, and
// gzip/bzip2/xz/zstd-compressed files (a compressed tar, or a single compressed file, which
// reads as one member). Members stream; nothing is extracted to disk.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "audit/build/byte_source.h"
#include "homeport/status.h"

struct archive;

namespace homeport::audit::build {

enum class ContainerKind { kNone, kZip, kTar, kCompressed };

// Recognises a container from the first bytes of a file (512 are enough; fewer are fine).
ContainerKind SniffContainer(std::string_view head);
std::string_view NameOf(ContainerKind kind);

// How a zip on disk is read. Android reads an APK by its central directory, but a zip whose
// central directory is damaged still holds every member behind its local header, where a
// streaming reader finds it; the audit reads such a zip both ways.
enum class ZipReading {
  kCentralDirectory,  // libarchive's seekable zip reader
  kLocalHeaders,      // libarchive's streaming zip reader (the only one for a zip in a stream)
};

struct ArchiveMember {
  std::string name;              // path inside the archive, as stored
  std::optional<uint64_t> size;  // when the archive records it
  bool whole_file = false;       // the decompressed content of a single compressed file
};

// The members of one archive, in stored order, and the data of the current one (the reader is
// the ByteSource of its current member, so an archive inside it opens over it). Not
// thread-safe; a reader over a stream must not outlive that stream.
class ArchiveReader : public ByteSource {
 public:
  // `zip` matters for kZip only.
  static Result<std::unique_ptr<ArchiveReader>> OpenFile(
      const std::string& path, ContainerKind kind,
      ZipReading zip = ZipReading::kCentralDirectory);
  // Reads `head` (bytes already taken from `rest` to sniff the kind) and then `rest`.
  static Result<std::unique_ptr<ArchiveReader>> OpenStream(std::string head, ByteSource* rest,
                                                           ContainerKind kind);
  ~ArchiveReader() override;
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  // The next regular-file member; directories, links and devices are passed over. nullopt
  // after the last one.
  Result<std::optional<ArchiveMember>> Next();
  // Data of the current member; 0 at its end.
  Result<size_t> Read(std::span<char> buffer) override;
  // Bytes of the archive itself (before decompression) consumed so far: where reading stopped.
  uint64_t ArchiveOffset() const;

 private:
  explicit ArchiveReader(ContainerKind kind);
  Status Configure(ZipReading zip);
  Status Error(std::string_view what) const;
  friend struct StreamCallbacks;

  ContainerKind kind_;
  struct archive* archive_ = nullptr;
  std::string head_;
  size_t head_pos_ = 0;
  ByteSource* rest_ = nullptr;
  std::string buffer_;
};

}  // namespace homeport::audit::build
