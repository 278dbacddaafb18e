// libarchive behind ArchiveReader. Only the formats and filters the audit needs are enabled:
// libarchive's "all" would also bid on mtree and other text formats and read ordinary text
// files as archives.
#include "audit/build/archive_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>

namespace homeport::audit::build {

constexpr size_t kBlockSize = 64 * 1024;

struct StreamCallbacks {
  static la_ssize_t Read(struct archive* a, void* client, const void** buffer) {
    auto* self = static_cast<ArchiveReader*>(client);
    if (self->head_pos_ < self->head_.size()) {
      *buffer = self->head_.data() + self->head_pos_;
      la_ssize_t n = static_cast<la_ssize_t>(self->head_.size() - self->head_pos_);
      self->head_pos_ = self->head_.size();
      return n;
    }
    self->buffer_.resize(kBlockSize);
    auto n = self->rest_->Read(std::span<char>(self->buffer_.data(), self->buffer_.size()));
    if (!n.ok()) {
      archive_set_error(a, EIO, "%s", n.status().message().c_str());
      return -1;
    }
    *buffer = self->buffer_.data();
    return static_cast<la_ssize_t>(*n);
  }
};

ContainerKind SniffContainer(std::string_view head) {
  auto starts = [&](std::string_view magic) { return head.substr(0, magic.size()) == magic; };
  using namespace std::string_view_literals;
  // Local file header, or the end record of an empty zip.
  if (starts("PK\x03\x04"sv) || starts("PK\x05\x06"sv)) return ContainerKind::kZip;
  if (head.size() >= 262 && head.substr(257, 5) == "ustar") return ContainerKind::kTar;
  if (starts("\x1f\x8b"sv) || starts("\xfd\x37\x7a\x58\x5a\x00"sv) ||
      starts("\x28\xb5\x2f\xfd"sv) ||
      (head.size() >= 4 && starts("BZh"sv) && head[3] >= '1' && head[3] <= '9')) {
    return ContainerKind::kCompressed;
  }
  return ContainerKind::kNone;
}

std::string_view NameOf(ContainerKind kind) {
  switch (kind) {
    case ContainerKind::kZip:
      return "zip";
    case ContainerKind::kTar:
      return "tar";
    case ContainerKind::kCompressed:
      return "compressed";
    case ContainerKind::kNone:
      break;
  }
  return "none";
}

ArchiveReader::ArchiveReader(ContainerKind kind) : kind_(kind), archive_(archive_read_new()) {}

ArchiveReader::~ArchiveReader() {
  if (archive_ != nullptr) archive_read_free(archive_);
}

Status ArchiveReader::Error(std::string_view what) const {
  const char* detail = archive_ != nullptr ? archive_error_string(archive_) : nullptr;
  return Status::Corruption(std::string(what) +
                            (detail != nullptr ? std::string(": ") + detail : std::string()));
}

Status ArchiveReader::Configure(ZipReading zip) {
  if (archive_ == nullptr) return Status::Internal("libarchive: out of memory");
  switch (kind_) {
    case ContainerKind::kZip:
      // The seekable reader needs a seekable source; a zip inside another archive is a stream,
      // and only the streaming one reads it.
      if (zip == ZipReading::kCentralDirectory) {
        archive_read_support_format_zip_seekable(archive_);
      } else {
        archive_read_support_format_zip_streamable(archive_);
      }
      break;
    case ContainerKind::kTar:
      archive_read_support_format_tar(archive_);
      archive_read_support_format_gnutar(archive_);
      break;
    case ContainerKind::kCompressed:
      archive_read_support_filter_gzip(archive_);
      archive_read_support_filter_bzip2(archive_);
      archive_read_support_filter_xz(archive_);
      archive_read_support_filter_zstd(archive_);
      archive_read_support_format_tar(archive_);
      archive_read_support_format_gnutar(archive_);
      archive_read_support_format_raw(archive_);  // a compressed single file
      break;
    case ContainerKind::kNone:
      return Status::InvalidArgument("not an archive");
  }
  return Status::Ok();
}

Result<std::unique_ptr<ArchiveReader>> ArchiveReader::OpenFile(const std::string& path,
                                                               ContainerKind kind,
                                                               ZipReading zip) {
  std::unique_ptr<ArchiveReader> r(new ArchiveReader(kind));
  HOMEPORT_RETURN_IF_ERROR(r->Configure(zip));
  if (archive_read_open_filename(r->archive_, path.c_str(), kBlockSize) != ARCHIVE_OK) {
    return r->Error("cannot open the " + std::string(NameOf(kind)) + " archive");
  }
  return r;
}

Result<std::unique_ptr<ArchiveReader>> ArchiveReader::OpenStream(std::string head, ByteSource* rest,
                                                                 ContainerKind kind) {
  std::unique_ptr<ArchiveReader> r(new ArchiveReader(kind));
  HOMEPORT_RETURN_IF_ERROR(r->Configure(ZipReading::kLocalHeaders));
  r->head_ = std::move(head);
  r->rest_ = rest;
  if (archive_read_open(r->archive_, r.get(), nullptr, &StreamCallbacks::Read, nullptr) !=
      ARCHIVE_OK) {
    return r->Error("cannot open the " + std::string(NameOf(kind)) + " archive");
  }
  return r;
}

Result<std::optional<ArchiveMember>> ArchiveReader::Next() {
  for (;;) {
    struct archive_entry* entry = nullptr;
    int rc = archive_read_next_header(archive_, &entry);
    if (rc == ARCHIVE_EOF) return std::optional<ArchiveMember>();
    if (rc == ARCHIVE_RETRY) continue;
    if (rc < ARCHIVE_WARN) return Error("cannot read the next member");
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    ArchiveMember m;
    const char* name = archive_entry_pathname(entry);
    m.name = name != nullptr ? name : "";
    if (archive_entry_size_is_set(entry)) m.size = static_cast<uint64_t>(archive_entry_size(entry));
    m.whole_file = archive_format(archive_) == ARCHIVE_FORMAT_RAW;
    return std::optional<ArchiveMember>(std::move(m));
  }
}

uint64_t ArchiveReader::ArchiveOffset() const {
  const la_int64_t n = archive_filter_bytes(archive_, -1);
  return n > 0 ? static_cast<uint64_t>(n) : 0;
}

Result<size_t> ArchiveReader::Read(std::span<char> buffer) {
  for (;;) {
    la_ssize_t n = archive_read_data(archive_, buffer.data(), buffer.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (n == ARCHIVE_RETRY) continue;
    if (n == ARCHIVE_WARN) return size_t{0};
    return Error("cannot read member data");
  }
}

}  // namespace homeport::audit::build
