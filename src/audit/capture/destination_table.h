// DestinationTable: folds each finished flow into its destination's compact aggregate, so
// memory grows with destinations, never with flows or bytes, and is bounded even then: past
// `max_destinations` rows, a flow to a new destination is judged on its own and folded into
// an aggregate row for its registrable domain (names) or its AS (addresses); past
// `max_groups` of those, into one row for all the rest. Every row keeps bounded lists (names,
// addresses, identifier sightings, uninspected parts) and counts what it did not list.
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "audit/capture/destination.h"
#include "audit/capture/flow_table.h"
#include "audit/geo.h"
#include "audit/policy.h"

namespace homeport::audit::capture {

struct DestinationLimits {
  size_t max_destinations = 100'000;  // rows listed one destination each
  size_t max_groups = 10'000;         // aggregate rows past that
  size_t max_names = 64;              // names listed per row
  size_t max_addresses = 32;          // addresses listed per row
  size_t max_sightings = 1000;        // identifier sightings listed per row
  size_t max_sightings_total = 100'000;
  size_t max_uninspected = 100;       // uninspected parts listed per row
};

class DestinationTable {
 public:
  // `geo` must outlive the table; `policy` too, or null for an inventory.
  DestinationTable(DestinationLimits limits, const GeoLookup& geo, const AuditPolicy* policy);

  // Adds a finished flow; `dns_chain` is what DNS answers named its server address, or null.
  // Moves the flow's sightings and uninspected parts out.
  void Fold(Flow& flow, const std::vector<std::string>* dns_chain);

  // Judges every destination and returns all rows, violations first. Empties the table.
  std::vector<Destination> Finish();

  uint64_t destinations_listed() const { return listed_.size(); }
  uint64_t flows_aggregated() const { return flows_aggregated_; }

 private:
  using SightingKey = std::tuple<privacy::IdentifierKind, std::string, std::string, std::string>;
  struct Row {
    Destination d;
    std::map<SightingKey, size_t> sighting_index;
  };

  void AddFlow(Row& row, Flow& f, const std::vector<std::string>* dns_chain);
  void AddName(Destination& d, const std::string& name, uint8_t sources);
  void AddAddress(Destination& d, const DestinationAddress& a, uint64_t flows, uint64_t bytes_sent);
  void AddSighting(Row& row, IdentifierSighting&& s);
  void AddUninspected(Destination& d, Uninspected&& u);
  void Merge(Row& group, Row&& single);
  std::string GroupLabel(const Destination& single) const;

  DestinationLimits limits_;
  const GeoLookup& geo_;
  const AuditPolicy* policy_;
  std::unordered_map<std::string, Row> listed_;
  std::unordered_map<std::string, Row> groups_;
  uint64_t sightings_listed_ = 0;
  uint64_t flows_aggregated_ = 0;
};

}  // namespace homeport::audit::capture
