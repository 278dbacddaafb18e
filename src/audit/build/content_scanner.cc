// Strings → hosts and manifests for one location.
#include "audit/build/content_scanner.h"

namespace homeport::audit::build {

ContentScanner::ContentScanner(std::string location, BuildFindings& findings,
                               const PublicSuffixList& psl, const crypto::PublicKey& root,
                               StringExtractorOptions options)
    : location_(std::move(location)),
      findings_(findings),
      psl_(psl),
      root_(root),
      unfold_(location_.ends_with("META-INF/MANIFEST.MF")),
      strings_(options, [this](std::string_view text, StringEncoding, StringPiece piece) {
        OnString(text, piece);
      }) {}

void ContentScanner::Feed(std::string_view bytes) {
  findings_.summary.bytes += bytes.size();
  if (unfold_) {
    FeedUnfolded(bytes);
  } else {
    strings_.Feed(bytes);
  }
}

void ContentScanner::FeedUnfolded(std::string_view bytes) {
  // A line break ("\n" or "\r\n") is held back until the next byte shows whether it starts a
  // continuation line (" "), in which case break and space both go.
  size_t start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (!held_.empty()) {
      if (c == ' ') {
        held_.clear();
        start = i + 1;
        continue;
      }
      if (c == '\n' && held_ == "\r") {
        held_ = "\r\n";
        start = i + 1;
        continue;
      }
      strings_.Feed(held_);
      held_.clear();
    }
    if (c == '\r' || c == '\n') {
      strings_.Feed(bytes.substr(start, i - start));
      held_ = std::string(1, c);
      start = i + 1;
    }
  }
  strings_.Feed(bytes.substr(start));
}

void ContentScanner::Finish() {
  strings_.Feed(held_);
  held_.clear();
  strings_.Finish();
}

void ContentScanner::OnString(std::string_view text, StringPiece piece) {
  // In a long run handed on in overlapping pieces, a find that reaches the cut is left to the
  // next piece (where it is whole), and one that ends before the seam was already counted in
  // the previous piece.
  auto counted_elsewhere = [&](size_t end) {
    return end < piece.seam || (piece.continues && end >= text.size());
  };
  for (const HostSighting& s : ExtractHosts(text, psl_)) {
    if (!counted_elsewhere(s.end)) findings_.AddHost(s, location_);
  }
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos || text.find('.', dot + 1) == std::string_view::npos) return;
  for (FoundManifest& m : FindManifests(text, root_)) {
    if (counted_elsewhere(m.end)) continue;
    if (!manifest_tokens_.insert(m.token).second) continue;
    if (m.readable) {
      AddManifestEndpoint("activation_url", m.manifest.activation_url);
      AddManifestEndpoint("uxp_url", m.manifest.uxp_url);
    }
    findings_.manifests.push_back({location_, std::move(m)});
  }
}

void ContentScanner::AddManifestEndpoint(const std::string& field, const std::string& url) {
  if (url.empty()) return;
  // The URL goes through the same extractor as any other text, so a manifest's endpoint is
  // named and judged exactly like the same URL seen in a file.
  for (HostSighting s : ExtractHosts(url, psl_)) {
    if (s.evidence != HostEvidence::kUrl) continue;
    s.evidence = HostEvidence::kManifest;
    s.text = field + " " + s.text;
    findings_.AddHost(s, location_);
  }
}

}  // namespace homeport::audit::build
