// When is a dotted word in a firmware file a host name? The rule the build audit applies to
// names found outside URLs, so that file names ("setup.py", "README.md"), Java packages
// ("com.example.app"), code ("window.location.host"), versions ("1.2.3") and Base64 or JWS
// tokens do not raise false alarms:
//
//  1. Syntax: two or more labels of 1-63 letters, digits and inner hyphens, 253 characters at
//     most; the last label is not all digits (that is an IPv4 address or a version).
//  2. It ends in a real public suffix (PublicSuffixList: ICANN section, no implicit "*") with
//     at least one label in front of it.
//  3. Not a version: two or more labels in front of the suffix, all numeric ("1.2.zip").
//  Evidence that the text means a host — found in an e-mail address, after "//", as the
//  quoted value of a key such as host/server/url/endpoint/domain, or a first label "www" —
//  accepts the name now.
//  Without evidence, also:
//  4. One case: upper and lower case mixed ("BuildConfig.app", "mode.You", "aB9xQ.de") is code,
//     prose or random Base64; host names are written all lower (or all upper) case.
//  5. Not a reversed domain: no first label com/org/net/edu/gov/mil/int/io/java/javax/kotlin/…
//     (Java and Kotlin packages); "android." names only with 3+ labels and a plain suffix
//     ("android.googleapis.com" is a host, "android.net" a package).
//  6. Suffixes that are also common file extensions ("py", "sh", "md", "zip", "app", "so",
//     "in", "pl", …) need 3+ labels, none of them a file-name word ("app.js.map" is a file);
//     suffixes that are also common words in code ("host", "id", "name", "data", "map",
//     "style", "top", …) need evidence.
//  7. The top-level domain is a country code or a long-established generic one (com, net,
//     org, edu, gov, biz, info, …, and a few popular newer ones such as app, dev, cloud): the
//     hundreds of newer ones ("prime", "abc", "you", "got", "property") are mostly words, as in
//     "p.prime" or Python's "collections.abc". A name of only two labels needs a generic
//     top-level domain ("kitware.com"); under a country code it needs a third label
//     ("zzhc.vnet.cn"), which keeps struct fields and junk ("value.cr", "LG.HK") out.
//  8. Not only short labels: the label in front of the suffix has two or more characters and,
//     under a country code, some label has three or more ("i.z.ir" is random bytes).
// The extractor (host_extractor.h) adds one rule about how a name is written: with a leading
// dot (".data.rel.ro", an ELF section; ".example.com", a cookie domain) it needs evidence too,
// where "}." in front (a template: "${region}.example.com") is evidence, and "*." (a wildcard,
// or a file glob: "*.js.in") or an unquoted key ("domain=.example.com") let the name be judged
// without it.
#pragma once

#include <string>
#include <string_view>

#include "audit/build/public_suffix.h"

namespace homeport::audit::build {

enum class NameVerdict {
  kHost,
  kNotHostSyntax,     // rule 1
  kNoPublicSuffix,    // rule 2
  kVersionLike,       // rule 3
  kCodeCase,          // rule 4
  kReversedDomain,    // rule 5
  kAmbiguousSuffix,   // rule 6
  kUncommonTopLevel,  // rule 7: a newer generic top-level domain
  kTwoLabels,         // rule 7: two labels under a country code
  kShortLabels,       // rule 8
};

// Applies rules 1-8 to `name` as written (case preserved, a trailing dot allowed).
NameVerdict ClassifyName(std::string_view name, bool has_evidence, const PublicSuffixList& psl);

// Whether the text just before a name ends with a host-like key and its separator:
// `"host": "`, `api_url = '`, `<hostname>` (kQuoted: the name is a literal value, evidence),
// or `server=`, `host: `, `server ` as in ntp.conf (kUnquoted: the value may as well be an
// expression, `host = self.host`, so only an IP address is taken on this alone).
enum class HostKey { kNone, kUnquoted, kQuoted };
HostKey HostKeyBefore(std::string_view before);

// Upper- and lower-case letters in one name: "getHost", "BuildConfig.app", "mode.You",
// "aB9xQ.de". Host names are written in one case; code, prose and Base64 are not.
bool MixesCase(std::string_view name);

// A host name in a URL may be a single label ("localhost"): labels as in rule 1, any count.
bool IsHostnameSyntax(std::string_view name);

}  // namespace homeport::audit::build
