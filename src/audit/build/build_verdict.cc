// Judge: findings against a policy. Pure: no I/O, so every rule is tested without files.
#include <algorithm>

#include "audit/build/build_audit.h"
#include "audit/capture/ip_address.h"
#include "provisioning/region_manifest.h"

namespace homeport::audit::build {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
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
  if (host == "localhost" || host.ends_with(".localhost")) return true;
  // One table for both audits. Multicast counts as local, as in capture::ScopeOf: RFC 6890's
  // special-purpose registries leave it out because a group is not a host, and it never reaches
  // a server abroad — 224.0.0.0/24 and ff02::/16 stay on the link (RFC 5771, RFC 4291), 239/8
  // and ff05::/16 inside the organisation (RFC 2365), and global-scope multicast is not routed
  // between the Internet and a home network. 0.0.0.0/8 and :: ("this host", not forwardable
  // per RFC 6890) are local too.
  auto address = capture::IpAddress::Parse(host);
  return address && capture::ScopeOf(*address) != capture::AddressScope::kPublic;
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
  v.uninspected = findings.UninspectedCount();
  v.uninspected_allowed = policy.allow_uninspected;
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
      j.reason = "local destination (private, loopback, link-local or multicast)";
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
