// ScanBuildTree: the tree walk, archives opened by content (not by file name: an APK renamed
// ".bin" is still read), nested archives through streams, and the limits. Whatever a limit or
// an error keeps from being read becomes an Uninspected finding at the point it stopped.
#include <algorithm>
#include <map>
#include <set>
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
  if (bytes != 0 && bytes % (uint64_t{1} << 30) == 0) return std::to_string(bytes >> 30) + " GiB";
  if (bytes != 0 && bytes % (uint64_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

// Decompressed bytes one archive of the tree may still deliver, nested archives included.
struct ArchiveBudget {
  uint64_t limit = 0;
  uint64_t remaining = 0;
  std::string why;  // "the per-archive limit of 4 GiB"
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

// How reading one file or member's bytes ended.
struct PlainOutcome {
  enum class End { kWhole, kArchiveBudget, kOverallBudget, kReadError };
  End end = End::kWhole;
  uint64_t offset = 0;  // bytes of the subject inspected (and passed over as known zeros)
  Status error;         // kReadError
};

// How reading one archive's members ended.
struct ArchiveOutcome {
  uint64_t members = 0;  // members whose header was read
  bool complete = false;  // read to its end, or stopped by a budget (already reported)
  Status error;           // why not complete
  uint64_t offset = 0;    // of the archive itself, where it stopped
};

class TreeScanner {
 public:
  TreeScanner(BuildFindings& findings, const crypto::PublicKey& key,
              const BuildAuditOptions& options)
      : findings_(findings),
        key_(key),
        options_(options),
        psl_(PublicSuffixList::System()),
        bytes_left_(options.max_total_bytes),
        deadline_(Now() + options.max_time) {}

  void Visit(const TreeEntry& e) {
    switch (e.type) {
      case TreeEntry::Type::kFile:
        if (stopped_) {
          return Uninspect(e.relative, "not inspected: " + stop_why_ + " before it", 0);
        }
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
        Uninspect(e.relative, "not readable: " + e.error, 0);
        return;
    }
  }

 private:
  std::chrono::steady_clock::time_point Now() const {
    return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
  }

  void Note(const std::string& location, std::string reason) {
    findings_.notes.push_back({location, std::move(reason)});
  }
  void Uninspect(const std::string& subject, std::string reason, uint64_t offset,
                 uint64_t limit = 0) {
    findings_.AddUninspected({subject, std::move(reason), limit, offset});
  }

  // The overall budget: checked before every chunk and every member.
  bool OverallExhausted() {
    if (stopped_) return true;
    if (bytes_left_ == 0) {
      Stop("the overall budget of " + Size(options_.max_total_bytes) + " (--max-bytes) ran out",
           options_.max_total_bytes);
    } else if (Now() >= deadline_) {
      Stop("the overall time budget of " +
               std::to_string(options_.max_time.count() / 1000) +
               " s (--max-seconds) ran out",
           0);
    }
    return stopped_;
  }
  void Stop(std::string why, uint64_t limit) {
    stopped_ = true;
    stop_why_ = std::move(why);
    stop_limit_ = limit;
  }
  void ReportStop(const std::string& subject, uint64_t offset) {
    Uninspect(subject,
              stop_why_ + ": the rest of it, and everything after it in the tree, was not inspected",
              offset, stop_limit_);
  }

  void ScanFile(const TreeEntry& e) {
    auto file = FileSource::Open(e.path);
    if (!file.ok()) return Uninspect(e.relative, "not readable: " + file.status().message(), 0);
    auto head = ReadHead(**file);
    if (!head.ok()) return Uninspect(e.relative, "not readable: " + head.status().message(), 0);
    const ContainerKind kind = SniffContainer(*head);
    if (kind != ContainerKind::kNone && options_.max_nesting >= 1) {
      ArchiveBudget budget = BudgetFor(e.size);
      if (ScanArchiveFile(e, kind, budget)) return;
      file = FileSource::Open(e.path);
      if (!file.ok()) return Uninspect(e.relative, "not readable: " + file.status().message(), 0);
      head = ReadHead(**file);
      if (!head.ok()) return Uninspect(e.relative, "not readable: " + head.status().message(), 0);
    }
    EndPlain(ScanPlain(**file, *head, e.relative, nullptr), e.relative, nullptr);
  }

  ArchiveBudget BudgetFor(uint64_t archive_size) const {
    ArchiveBudget b;
    b.limit = options_.max_archive_bytes;
    b.why = "the per-archive limit of " + Size(b.limit);
    const uint64_t ratio = options_.max_expansion_ratio;
    if (ratio > 0) {
      const uint64_t by_ratio =
          archive_size > UINT64_MAX / ratio ? UINT64_MAX : archive_size * ratio;
      const uint64_t allowed = std::max(by_ratio, options_.max_expansion_floor);
      if (allowed < b.limit) {
        b.limit = allowed;
        b.why = "the expansion limit of " + std::to_string(ratio) + " times the archive's size (" +
                Size(allowed) + ")";
      }
    }
    b.remaining = b.limit;
    return b;
  }

  // An archive file of the tree. False when no reader could read it up to its first member:
  // then it is read as plain bytes, and its members count as not inspected.
  bool ScanArchiveFile(const TreeEntry& e, ContainerKind kind, ArchiveBudget& budget) {
    std::set<std::string> done;
    std::map<std::string, std::string> failed;  // member → why its data could not be read
    auto reader = ArchiveReader::OpenFile(e.path, kind);
    ArchiveOutcome first;
    if (reader.ok()) {
      first = ScanArchive(**reader, e.relative, 1, budget, nullptr, &done, &failed);
    } else {
      first.error = reader.status();
    }
    ArchiveOutcome outcome = first;
    if ((!first.complete || !failed.empty()) && kind == ContainerKind::kZip && !stopped_ &&
        budget.remaining > 0) {
      // A damaged central directory: every member still sits behind its local header. What
      // the first reader read whole is not read again.
      auto streaming = ArchiveReader::OpenFile(e.path, kind, ZipReading::kLocalHeaders);
      ArchiveOutcome second;
      std::set<std::string> done_again;
      std::map<std::string, std::string> failed_again;
      if (streaming.ok()) {
        second = ScanArchive(**streaming, e.relative, 1, budget, &done, &done_again, &failed_again);
      } else {
        second.error = streaming.status();
      }
      for (auto it = failed.begin(); it != failed.end();) {
        it = done_again.count(it->first) != 0 ? failed.erase(it) : std::next(it);
      }
      for (auto& [name, why] : failed_again) failed.try_emplace(name, std::move(why));
      if (second.complete && !first.complete) {
        Note(e.relative, "a damaged zip (" + first.error.message() +
                             "): its members were read from their local headers");
      }
      if (!second.complete && !first.complete) {
        outcome.error = Status::Corruption("central directory: " + first.error.message() +
                                           "; local headers: " + second.error.message());
      }
      outcome.members = std::max(first.members, second.members);
      outcome.complete = first.complete || second.complete;
      outcome.offset = std::max(first.offset, second.offset);
    }
    for (const auto& [name, why] : failed) {
      Uninspect(e.relative + "!" + name, "not readable (" + why + ")", 0);
    }
    if (outcome.complete) return true;
    if (outcome.members == 0) {
      Uninspect(e.relative,
                "not readable as a " + std::string(NameOf(kind)) + " archive (" +
                    outcome.error.message() +
                    "): its members were not inspected, its bytes were scanned as they are",
                0);
      return false;
    }
    Uninspect(e.relative,
              "a damaged " + std::string(NameOf(kind)) + " archive (" + outcome.error.message() +
                  "): what lies past this offset could not be read as members and was not "
                  "inspected",
              outcome.offset);
    return true;
  }

  // Members of one archive, in order. `skip`: names already read whole (not read again);
  // `done` collects the names read whole, `failed` those whose data could not be read (when
  // given; otherwise such a member is reported here).
  ArchiveOutcome ScanArchive(ArchiveReader& reader, const std::string& location, int depth,
                             ArchiveBudget& budget, const std::set<std::string>* skip,
                             std::set<std::string>* done,
                             std::map<std::string, std::string>* failed) {
    ArchiveOutcome out;
    bool counted = false;
    for (;;) {
      if (OverallExhausted()) {
        out.complete = true;  // the cut is reported where it happened
        if (!stop_reported_) {
          stop_reported_ = true;
          ReportStop(location, 0);
        }
        return out;
      }
      auto next = reader.Next();
      if (!next.ok()) {
        out.error = next.status();
        out.offset = reader.ArchiveOffset();
        return out;
      }
      if (!counted) {
        counted = true;
        ++findings_.summary.archives;
      }
      if (!*next) {
        out.complete = true;
        return out;
      }
      ++out.members;
      const ArchiveMember& m = **next;
      const std::string member = MemberLocation(location, m);
      if (budget.remaining == 0) {
        NoteArchiveBudget(budget, member, 0);
        out.complete = true;
        return out;
      }
      if (skip != nullptr && skip->count(m.name) != 0) continue;
      ++findings_.summary.members;
      const PlainOutcome o = ScanMember(reader, member, depth, budget, failed != nullptr);
      if (o.end == PlainOutcome::End::kWhole && done != nullptr) done->insert(m.name);
      if (o.end == PlainOutcome::End::kReadError && failed != nullptr) {
        failed->try_emplace(m.name, o.error.message());
      }
      if (o.end == PlainOutcome::End::kOverallBudget ||
          o.end == PlainOutcome::End::kArchiveBudget) {
        out.complete = true;
        return out;
      }
    }
  }

  void NoteArchiveBudget(ArchiveBudget& budget, const std::string& subject, uint64_t offset) {
    if (budget.noted) return;
    budget.noted = true;
    Uninspect(subject,
              "the archive decompressed past " + budget.why +
                  ": the rest of this member, and every member after it, was not inspected",
              offset, budget.limit);
  }

  // One member: opened as an archive when it is one (up to the depth limit), else scanned.
  PlainOutcome ScanMember(ArchiveReader& reader, const std::string& location, int depth,
                          ArchiveBudget& budget, bool defer_read_errors) {
    LimitedSource source(&reader, options_.max_member_bytes);
    auto head = ReadHead(source);
    if (!head.ok()) {
      if (!defer_read_errors) Uninspect(location, "not readable: " + head.status().message(), 0);
      return {PlainOutcome::End::kReadError, 0, head.status()};
    }
    const ContainerKind kind = SniffContainer(*head);
    PlainOutcome end;
    if (kind != ContainerKind::kNone && depth < options_.max_nesting) {
      std::string head_copy = *head;
      auto nested = ArchiveReader::OpenStream(std::move(*head), &source, kind);
      ArchiveOutcome o;
      if (nested.ok()) {
        o = ScanArchive(**nested, location, depth + 1, budget, nullptr, nullptr, nullptr);
      } else {
        o.error = nested.status();
      }
      if (o.members == 0 && !o.complete) {
        Uninspect(location,
                  "not readable as a " + std::string(NameOf(kind)) + " archive (" +
                      o.error.message() +
                      "): its members were not inspected, its bytes were scanned as they are",
                  0);
        // The stream is partly consumed: what is left of it is scanned after the head.
        end = EndPlain(ScanPlain(source, head_copy, location, &budget), location, &budget,
                       defer_read_errors);
      } else {
        if (!o.complete) {
          Uninspect(location,
                    o.error.message() +
                        ": the rest of this archive, from this offset, was not inspected",
                    o.offset);
        }
        end.end = stopped_ ? PlainOutcome::End::kOverallBudget
                  : budget.remaining == 0 && budget.noted ? PlainOutcome::End::kArchiveBudget
                                                          : PlainOutcome::End::kWhole;
      }
    } else {
      if (kind != ContainerKind::kNone) {
        Uninspect(location,
                  "a " + std::string(NameOf(kind)) + " archive nested more than " +
                      std::to_string(options_.max_nesting) +
                      " deep (--max-depth): its members were not inspected, its bytes were "
                      "scanned as they are",
                  0);
      }
      end = EndPlain(ScanPlain(source, *head, location, &budget), location, &budget,
                     defer_read_errors);
    }
    if (source.truncated()) {
      Uninspect(location,
                "larger than the per-member limit of " + Size(options_.max_member_bytes) +
                    " (--max-member-mb): only its first bytes up to the limit were inspected",
                options_.max_member_bytes, options_.max_member_bytes);
    }
    return end;
  }

  // Reports how a plain read ended; returns it.
  PlainOutcome EndPlain(const PlainOutcome& o, const std::string& location,
                             ArchiveBudget* budget, bool defer_read_errors = false) {
    switch (o.end) {
      case PlainOutcome::End::kWhole:
        break;
      case PlainOutcome::End::kArchiveBudget:
        NoteArchiveBudget(*budget, location, o.offset);
        break;
      case PlainOutcome::End::kOverallBudget:
        if (!stop_reported_) {
          stop_reported_ = true;
          ReportStop(location, o.offset);
        }
        break;
      case PlainOutcome::End::kReadError:
        if (!defer_read_errors) {
          Uninspect(location, "read error (" + o.error.message() + "): the rest was not inspected",
                    o.offset);
        }
        break;
    }
    return o;
  }

  // Streams `head` and the rest of `source` through a ContentScanner, within the overall
  // budget and, inside an archive, the archive's.
  PlainOutcome ScanPlain(ByteSource& source, std::string_view head, const std::string& location,
                         ArchiveBudget* budget) {
    ContentScanner scanner(location, findings_, psl_, key_, options_.strings);
    PlainOutcome out;
    uint64_t fed = 0;
    // Feeds what the budgets allow of `bytes`; false when they cut it.
    auto take = [&](std::string_view bytes) {
      if (bytes.empty()) return true;
      if (OverallExhausted()) {
        out.end = PlainOutcome::End::kOverallBudget;
        return false;
      }
      size_t allowed = static_cast<size_t>(std::min<uint64_t>(bytes.size(), bytes_left_));
      PlainOutcome::End cut = PlainOutcome::End::kOverallBudget;
      if (budget != nullptr && budget->remaining < allowed) {
        allowed = static_cast<size_t>(budget->remaining);
        cut = PlainOutcome::End::kArchiveBudget;
      }
      scanner.Feed(bytes.substr(0, allowed));
      fed += allowed;
      bytes_left_ -= allowed;
      if (budget != nullptr) budget->remaining -= allowed;
      if (allowed == bytes.size()) return true;
      if (cut == PlainOutcome::End::kOverallBudget) OverallExhausted();  // records why
      out.end = cut;
      return false;
    };
    bool going = take(head);
    std::string chunk(kChunk, '\0');
    while (going) {
      auto n = source.Read(std::span<char>(chunk.data(), chunk.size()));
      if (!n.ok()) {
        out.end = PlainOutcome::End::kReadError;
        out.error = n.status();
        break;
      }
      if (*n == 0) break;
      going = take(std::string_view(chunk.data(), *n));
    }
    scanner.Finish();
    out.offset = fed + source.Skipped();
    return out;
  }

  BuildFindings& findings_;
  const crypto::PublicKey& key_;
  const BuildAuditOptions& options_;
  const PublicSuffixList& psl_;
  uint64_t bytes_left_;
  std::chrono::steady_clock::time_point deadline_;
  bool stopped_ = false;
  bool stop_reported_ = false;
  std::string stop_why_;
  uint64_t stop_limit_ = 0;
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
