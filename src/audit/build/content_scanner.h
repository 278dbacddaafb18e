// The contents of one file or archive member, as a stream of bytes, into BuildFindings: its
// strings go to the host extractor and the manifest finder, and what they find is recorded
// under the member's location. A manifest's declared endpoints are recorded as hosts too.
// A JAR manifest (META-INF/MANIFEST.MF) is unfolded first: its format wraps lines at 72 bytes
// with a leading space, which cuts package and host names in two ("com.g" / " oogle.common.io").
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "audit/build/build_findings.h"
#include "audit/build/public_suffix.h"
#include "audit/build/string_extractor.h"
#include "crypto/ed25519.h"

namespace homeport::audit::build {

class ContentScanner {
 public:
  // `findings`, `psl` and `root` must outlive the scanner.
  ContentScanner(std::string location, BuildFindings& findings, const PublicSuffixList& psl,
                 const crypto::PublicKey& root, StringExtractorOptions options);

  void Feed(std::string_view bytes);
  // Ends the last string; call once, after the last Feed.
  void Finish();

 private:
  void OnString(std::string_view text, StringPiece piece);
  void FeedUnfolded(std::string_view bytes);
  void AddManifestEndpoint(const std::string& field, const std::string& url);

  std::string location_;
  BuildFindings& findings_;
  const PublicSuffixList& psl_;
  const crypto::PublicKey& root_;
  std::set<std::string> manifest_tokens_;  // one finding per manifest per location
  bool unfold_;                            // a JAR manifest
  std::string held_;                       // a line break that may be a continuation
  StringExtractor strings_;
};

}  // namespace homeport::audit::build
