// What a scan of a firmware tree found, before any policy judges it: every host with where
// it was seen, every region manifest, what could not be (fully) inspected, and how much was.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "audit/build/host_extractor.h"
#include "audit/build/manifest_finder.h"
#include "audit/uninspected.h"

namespace homeport::audit::build {

// One host at one place ("app/x.apk!assets/config.json").
struct HostPlace {
  uint64_t count = 0;
  unsigned evidence = 0;  // bit (1 << HostEvidence) for each way it was found there
  std::string example;    // the first URL, address or name seen there
};

struct HostFindings {
  std::string host;
  bool is_ip = false;
  uint64_t total = 0;  // sightings everywhere
  // At most kMaxPlacesPerHost places are listed; sightings elsewhere are only counted.
  std::map<std::string, HostPlace> places;
  uint64_t unlisted_sightings = 0;
};

struct ManifestFinding {
  std::string location;
  FoundManifest found;
};

// Something worth knowing that holds no data to inspect (a device node, a FIFO); data the scan
// could not inspect is an Uninspected finding instead.
struct ScanNote {
  std::string location;
  std::string reason;
};

struct ScanSummary {
  uint64_t files = 0;     // regular files of the tree
  uint64_t archives = 0;  // archives opened, nested ones included
  uint64_t members = 0;   // archive members scanned
  uint64_t bytes = 0;     // bytes scanned: file contents and decompressed members
  uint64_t symlinks = 0;  // not followed
  uint64_t special = 0;   // devices, FIFOs, sockets: not opened
};

struct BuildFindings {
  static constexpr size_t kMaxPlacesPerHost = 100;
  // Uninspected findings listed one by one; past this only counted (a tree of a million files
  // cut by the overall budget still has a report of bounded size).
  static constexpr size_t kMaxUninspectedListed = 1000;

  std::string root;
  std::map<std::string, HostFindings> hosts;  // by host
  std::vector<ManifestFinding> manifests;     // in the order found
  std::vector<ScanNote> notes;
  // What was not (fully) inspected, in the order met; `uninspected_unlisted` more past the cap.
  std::vector<Uninspected> uninspected;
  uint64_t uninspected_unlisted = 0;
  ScanSummary summary;

  void AddHost(const HostSighting& sighting, const std::string& location);
  void AddUninspected(Uninspected u);
  uint64_t UninspectedCount() const { return uninspected.size() + uninspected_unlisted; }
};

// True for IPv4 and IPv6 literals.
bool IsIpLiteral(std::string_view host);

}  // namespace homeport::audit::build
