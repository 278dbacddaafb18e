// Option checks of `homeport fleet simulate`: each bad value names its flag.
#include "fleet/fleet_options.h"

#include <gtest/gtest.h>

#include <cmath>

namespace homeport::fleet {
namespace {

FleetOptions Valid() {
  FleetOptions o;
  o.batch_dir = "batch";
  o.manifest_path = "manifest.jws";
  o.devices = 200;
  return o;
}

// The message of ValidateFleetOptions after `change`, "" when valid.
template <typename Change>
std::string Problem(Change change) {
  FleetOptions o = Valid();
  change(o);
  Status st = ValidateFleetOptions(o);
  EXPECT_TRUE(st.ok() || st.IsInvalidArgument()) << st.ToString();
  return st.ok() ? "" : st.message();
}

TEST(FleetOptions, DefaultsAreValid) {
  EXPECT_TRUE(ValidateFleetOptions(Valid()).ok());
  FleetOptions o;
  EXPECT_EQ(o.concurrency, 16);
  EXPECT_FALSE(o.duration_seconds.has_value());
  EXPECT_EQ(o.rate, 0);
}

TEST(FleetOptions, RequiresBatchAndManifest) {
  EXPECT_NE(Problem([](FleetOptions& o) { o.batch_dir.clear(); }).find("--batch"),
            std::string::npos);
  EXPECT_NE(Problem([](FleetOptions& o) { o.manifest_path.clear(); }).find("--manifest"),
            std::string::npos);
}

TEST(FleetOptions, RejectsOutOfRangeValuesNamingTheFlag) {
  const std::pair<std::string, std::string> cases[] = {
      {Problem([](FleetOptions& o) { o.devices = 0; }), "--devices"},
      {Problem([](FleetOptions& o) { o.devices = -3; }), "--devices"},
      {Problem([](FleetOptions& o) { o.concurrency = 0; }), "--concurrency"},
      {Problem([](FleetOptions& o) { o.concurrency = 100000; }), "--concurrency"},
      {Problem([](FleetOptions& o) { o.uxp_share = 1.5; }), "--uxp-share"},
      {Problem([](FleetOptions& o) { o.uxp_share = -0.1; }), "--uxp-share"},
      {Problem([](FleetOptions& o) { o.uxp_share = std::nan(""); }), "--uxp-share"},
      {Problem([](FleetOptions& o) { o.duration_seconds = 0; }), "--duration"},
      {Problem([](FleetOptions& o) { o.day_seconds = -1; }), "--day-seconds"},
      {Problem([](FleetOptions& o) { o.rate = -5; }), "--rate"},
      {Problem([](FleetOptions& o) { o.request_timeout_seconds = 0; }), "--timeout"},
      {Problem([](FleetOptions& o) { o.max_attempts = 0; }), "--max-attempts"},
      {Problem([](FleetOptions& o) { o.server_url = "ftp://x"; }), "--server"},
      {Problem([](FleetOptions& o) { o.server_url = "http://"; }), "--server"},
      {Problem([](FleetOptions& o) { o.mix.feedback_share = 2; }), "feedback share"},
  };
  for (const auto& [message, flag] : cases) {
    EXPECT_NE(message.find(flag), std::string::npos) << "\"" << message << "\" lacks " << flag;
  }
  EXPECT_EQ(Problem([](FleetOptions& o) { o.uxp_share = 1.5; }),
            "--uxp-share must be a fraction from 0 to 1 (got 1.5)");
}

TEST(FleetOptions, AcceptsTheEdges) {
  EXPECT_EQ(Problem([](FleetOptions& o) { o.uxp_share = 0; }), "");
  EXPECT_EQ(Problem([](FleetOptions& o) { o.uxp_share = 1; }), "");
  EXPECT_EQ(Problem([](FleetOptions& o) { o.day_seconds = 0; }), "");
  EXPECT_EQ(Problem([](FleetOptions& o) { o.devices = 1; }), "");
  EXPECT_EQ(Problem([](FleetOptions& o) { o.server_url = "https://sg.example.com:8443/api"; }), "");
}

}  // namespace
}  // namespace homeport::fleet
