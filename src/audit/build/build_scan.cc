// ScanBuildTree: the tree walk, archives opened by content (not by file name: an APK renamed
// ".bin" is still read), nested archives through streams, and the size limits.
#include <algorithm>
#include <string>

#include "audit/build/archive_reader.h"
#include "audit/build/build_audit.h"
#include "audit/build/content_scanner.h"
#include "audit/build/tree_walker.h"

namespace homeport::audit::build {
namespace {

constexpr size_t kChunk = 64 * 1024;
constexpr size_t kSniffBytes = 512;

std::string Size(uint64_t bytes) {
  if (bytes % (uint64_t{1} << 30) == 0) return std::to_string(bytes >> 30) + " GiB";
  if (bytes % (uint64_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

// Decompressed bytes one archive of the tree may still deliver, nested archives included.
struct ArchiveBudget {
  uint64_t remaining;
  bool noted = false;
};

// At most `limit` bytes of `inner`; remembers whether more were there.
class LimitedSource : public ByteSource {
 public:
  LimitedSource(ByteSource* inner, uint64_t limit) : inner_(inner), remaining_(limit) {}
  Result<size_t> Read(std::span<char> buffer) override {
    if (remaining_ == 0) {
      if (!probed_) {
        probed_ = true;
        char probe;
        auto more = inner_->Read(std::span<char>(&probe, 1));
        truncated_ = more.ok() && *more > 0;
      }
      return size_t{0};
    }
    if (buffer.size() > remaining_) buffer = buffer.first(static_cast<size_t>(remaining_));
    auto n = inner_->Read(buffer);
    if (n.ok()) remaining_ -= *n;
    return n;
  }
  bool truncated() const { return truncated_; }

 private:
  ByteSource* inner_;
  uint64_t remaining_;
  bool probed_ = false;
  bool truncated_ = false;
};

Result<std::string> ReadHead(ByteSource& source) {
  std::string head(kSniffBytes, '\0');
  size_t have = 0;
  while (have < head.size()) {
    auto n = source.Read(std::span<char>(head.data() + have, head.size() - have));
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    have += *n;
  }
  head.resize(have);
  return head;
}

// "logs/boot.txt.gz" holds "boot.txt"; "rootfs.tgz" holds "rootfs.tar".
std::string DecompressedName(const std::string& location) {
  std::string name = location.substr(location.find_last_of("/!") + 1);
  for (std::string_view ext : {".gz", ".xz", ".bz2", ".zst", ".zstd"}) {
    if (name.size() > ext.size() && name.ends_with(ext))
      return name.substr(0, name.size() - ext.size());
  }
  if (name.ends_with(".tgz")) return name.substr(0, name.size() - 4) + ".tar";
  return name + ".decompressed";
}

std::string MemberLocation(const std::string& archive, const ArchiveMember& m) {
  if (m.whole_file) return archive + "!" + DecompressedName(archive);
  std::string_view name = m.name;
  while (name.starts_with("./")) name.remove_prefix(2);
  return archive + "!" + std::string(name);
}

class TreeScanner {
 public:
  TreeScanner(BuildFindings& findings, const crypto::PublicKey& key,
              const BuildAuditOptions& options)
      : findings_(findings), key_(key), options_(options), psl_(PublicSuffixList::System()) {}

  void Visit(const TreeEntry& e) {
    switch (e.type) {
      case TreeEntry::Type::kFile:
        ++findings_.summary.files;
        ScanFile(e);
        return;
      case TreeEntry::Type::kSymlink:
        ++findings_.summary.symlinks;
        return;
      case TreeEntry::Type::kOther:
        ++findings_.summary.special;
        Note(e.relative, "not a regular file (device, FIFO or socket): not opened");
        return;
      case TreeEntry::Type::kError:
        Note(e.relative, e.error);
        return;
    }
  }

 private:
  void Note(const std::string& location, std::string reason) {
    findings_.notes.push_back({location, std::move(reason)});
  }

  void ScanFile(const TreeEntry& e) {
    auto file = FileSource::Open(e.path);
    if (!file.ok()) return Note(e.relative, "not read: " + file.status().message());
    auto head = ReadHead(**file);
    if (!head.ok()) return Note(e.relative, "not read: " + head.status().message());
    const ContainerKind kind = SniffContainer(*head);
    if (kind != ContainerKind::kNone && options_.max_nesting >= 1) {
      ArchiveBudget budget{options_.max_archive_bytes};
      auto reader = ArchiveReader::OpenFile(e.path, kind);
      Status st = reader.ok() ? ScanArchive(**reader, e.relative, 1, budget) : reader.status();
      if (st.ok()) return;
      Note(e.relative, "not readable as a " + std::string(NameOf(kind)) + " archive (" +
                           st.message() + "): scanned as plain bytes");
      file = FileSource::Open(e.path);
      if (!file.ok()) return Note(e.relative, "not read: " + file.status().message());
      head = ReadHead(**file);
      if (!head.ok()) return Note(e.relative, "not read: " + head.status().message());
    }
    ScanPlain(**file, *head, e.relative, nullptr);
  }

  // Fails only when the archive could not be read up to its first member: then it is better
  // read as plain bytes. Later errors become notes.
  Status ScanArchive(ArchiveReader& reader, const std::string& location, int depth,
                     ArchiveBudget& budget) {
    uint64_t members = 0;
    bool opened = false;
    for (;;) {
      if (budget.remaining == 0) {
        if (!budget.noted) {
          budget.noted = true;
          Note(location, "more than " + Size(options_.max_archive_bytes) +
                             " decompressed: the remaining members were not scanned");
        }
        return Status::Ok();
      }
      auto next = reader.Next();
      if (!next.ok()) {
        if (members == 0) return next.status();
        Note(location, next.status().message() + ": members after the first " +
                           std::to_string(members) + " were not scanned");
        return Status::Ok();
      }
      if (!opened) {
        opened = true;
        ++findings_.summary.archives;
      }
      if (!*next) return Status::Ok();
      ++members;
      ++findings_.summary.members;
      ScanMember(reader, MemberLocation(location, **next), depth, budget);
    }
  }

  void ScanMember(ArchiveReader& reader, const std::string& location, int depth,
                  ArchiveBudget& budget) {
    LimitedSource source(&reader, options_.max_member_bytes);
    auto head = ReadHead(source);
    if (!head.ok()) return Note(location, "not read: " + head.status().message());
    const ContainerKind kind = SniffContainer(*head);
    if (kind != ContainerKind::kNone && depth < options_.max_nesting) {
      std::string head_copy = *head;
      auto nested = ArchiveReader::OpenStream(std::move(*head), &source, kind);
      Status st =
          nested.ok() ? ScanArchive(**nested, location, depth + 1, budget) : nested.status();
      if (st.ok()) {
        NoteTruncation(source, location);
        return;
      }
      Note(location, "not readable as a " + std::string(NameOf(kind)) + " archive (" +
                         st.message() + "): scanned as plain bytes");
      ScanPlain(source, head_copy, location, &budget);
    } else {
      if (kind != ContainerKind::kNone) {
        Note(location, "a " + std::string(NameOf(kind)) + " archive nested more than " +
                           std::to_string(options_.max_nesting) +
                           " deep: not opened, scanned as plain bytes");
      }
      ScanPlain(source, *head, location, &budget);
    }
    NoteTruncation(source, location);
  }

  void NoteTruncation(const LimitedSource& source, const std::string& location) {
    if (source.truncated()) {
      Note(location, "larger than " + Size(options_.max_member_bytes) + ": only its first " +
                         Size(options_.max_member_bytes) + " were scanned");
    }
  }

  // Streams `head` and the rest of `source` through a ContentScanner. Inside an archive,
  // `budget` bounds what is read.
  void ScanPlain(ByteSource& source, std::string_view head, const std::string& location,
                 ArchiveBudget* budget) {
    ContentScanner scanner(location, findings_, psl_, key_, options_.strings);
    auto feed = [&](std::string_view bytes) {
      if (budget != nullptr) {
        bytes = bytes.substr(
            0, static_cast<size_t>(std::min<uint64_t>(bytes.size(), budget->remaining)));
        budget->remaining -= bytes.size();
      }
      scanner.Feed(bytes);
    };
    feed(head);
    std::string chunk(kChunk, '\0');
    while (budget == nullptr || budget->remaining > 0) {
      auto n = source.Read(std::span<char>(chunk.data(), chunk.size()));
      if (!n.ok()) {
        Note(location, "read error, the rest was not scanned: " + n.status().message());
        break;
      }
      if (*n == 0) break;
      feed(std::string_view(chunk.data(), *n));
    }
    scanner.Finish();
  }

  BuildFindings& findings_;
  const crypto::PublicKey& key_;
  const BuildAuditOptions& options_;
  const PublicSuffixList& psl_;
};

}  // namespace

Result<BuildFindings> ScanBuildTree(const std::string& root, const crypto::PublicKey& root_key,
                                    const BuildAuditOptions& options) {
  BuildFindings findings;
  findings.root = root;
  TreeScanner scanner(findings, root_key, options);
  HOMEPORT_RETURN_IF_ERROR(WalkTree(root, [&](const TreeEntry& e) { scanner.Visit(e); }));
  return findings;
}

}  // namespace homeport::audit::build
