// Judge: findings against a policy. Pure: no I/O, so every rule is tested without files.
#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "audit/build/build_audit.h"
#include "provisioning/region_manifest.h"

namespace homeport::audit::build {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

bool PrivateV4(const unsigned char a[4]) {
  return a[0] == 10 || a[0] == 127 ||             // RFC 1918, loopback
         (a[0] == 172 && (a[1] & 0xf0) == 16) ||  // 172.16/12
         (a[0] == 192 && a[1] == 168) ||          // 192.168/16
         (a[0] == 169 && a[1] == 254) ||          // link-local
         (a[0] == 100 && (a[1] & 0xc0) == 64);    // CGNAT 100.64/10
}

// The manifest's endpoints that are plain http://, comma-separated.
std::string CleartextEndpoints(const RegionManifest& m) {
  std::vector<std::string> plain;
  for (const std::string* url : {&m.activation_url, &m.uxp_url}) {
    if (url->rfind("http://", 0) == 0) plain.push_back(*url);
  }
  return Join(plain);
}

}  // namespace

bool IsPrivateDestination(std::string_view host) {
  std::string h(host);
  if (h == "localhost" || h.ends_with(".localhost")) return true;
  unsigned char a[16];
  if (h.size() < 64 && inet_pton(AF_INET, h.c_str(), a) == 1) return PrivateV4(a);
  if (h.size() < 64 && inet_pton(AF_INET6, h.c_str(), a) == 1) {
    static const unsigned char kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (std::memcmp(a, kLoopback, 16) == 0) return true;
    if ((a[0] & 0xfe) == 0xfc) return true;                  // unique local fc00::/7
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return true;  // link-local fe80::/10
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(a, kMapped, 12) == 0) return PrivateV4(a + 12);
  }
  return false;
}

size_t BuildVerdict::ManifestViolations() const {
  return static_cast<size_t>(std::count_if(manifests.begin(), manifests.end(),
                                           [](const ManifestJudgement& m) { return !m.ok; }));
}

size_t BuildVerdict::HostViolations() const {
  return static_cast<size_t>(
      std::count_if(hosts.begin(), hosts.end(), [](const HostJudgement& h) { return !h.allowed; }));
}

BuildVerdict Judge(const BuildFindings& findings, const AuditPolicy& policy) {
  BuildVerdict v;
  v.region = policy.region;
  for (const ManifestFinding& f : findings.manifests) {
    ManifestJudgement j{&f, false, {}};
    const RegionManifest& m = f.found.manifest;
    if (!f.found.verified) {
      j.problem = "does not verify against the root key (" + f.found.problem + ")";
      if (f.found.readable) {
        j.problem += "; it claims region \"" + m.region + "\", variants " + Join(m.variants);
      }
    } else if (m.region != policy.region) {
      j.problem = "is for region \"" + m.region + "\" (variants " + Join(m.variants) +
                  "), but this build is for region \"" + policy.region + "\"";
    } else if (std::string cleartext = CleartextEndpoints(m);
               !policy.allow_cleartext && !cleartext.empty()) {
      j.problem = "sends to " + cleartext +
                  " without encryption, and the policy forbids cleartext (allow_cleartext: false)";
    } else {
      j.ok = true;
    }
    v.manifests.push_back(std::move(j));
  }
  std::stable_partition(v.manifests.begin(), v.manifests.end(),
                        [](const ManifestJudgement& j) { return !j.ok; });
  if (findings.manifests.empty()) {
    v.warnings.push_back(
        "no region manifest found: a device of this build would refuse to send anything (D1)");
  }

  for (const auto& [name, h] : findings.hosts) {
    HostJudgement j{&h, false, {}};
    if (policy.AllowsHost(name)) {
      j.allowed = true;
      j.reason = "allowed by the policy";
    } else if (policy.allow_private && IsPrivateDestination(name)) {
      j.allowed = true;
      j.reason = "private or loopback destination";
    } else {
      j.reason = "not allowed by the policy";
    }
    v.hosts.push_back(std::move(j));
  }
  // std::map iteration gave name order; keep it within each group.
  std::stable_partition(v.hosts.begin(), v.hosts.end(),
                        [](const HostJudgement& j) { return !j.allowed; });
  return v;
}

AuditPolicy PolicyFromManifests(const BuildFindings& findings, const std::string& region) {
  AuditPolicy p;
  p.region = region;
  for (const ManifestFinding& f : findings.manifests) {
    const RegionManifest& m = f.found.manifest;
    if (!f.found.verified || m.region != region) continue;
    // The endpoints' hosts and, when the manifest declares its data flow, the declared ones.
    for (const std::string& host : EffectiveDataFlow(m).allow_hosts) {
      if (std::find(p.allow_hosts.begin(), p.allow_hosts.end(), host) == p.allow_hosts.end()) {
        p.allow_hosts.push_back(host);
      }
    }
  }
  return p;
}

}  // namespace homeport::audit::build
