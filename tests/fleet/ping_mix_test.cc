// The day generator: its shares, its determinism, and feedback the server's scrubber recognises.
#include "fleet/ping_mix.h"

#include <gtest/gtest.h>

#include "privacy/identifier_scanner.h"

namespace homeport::fleet {
namespace {

constexpr int kDays = 20000;

TEST(PingMix, ParticipantDaysFollowTheShares) {
  PingMixOptions mix;
  MixRandom random(11);
  int diagnostics = 0, feedback = 0, opt_outs = 0, with_identifiers = 0;
  for (int i = 0; i < kDays; ++i) {
    DayPlan day = PlanParticipantDay(mix, /*joins_today=*/false, random);
    EXPECT_TRUE(day.baseline);
    EXPECT_GE(day.session_seconds, 60);
    EXPECT_FALSE(day.opt_in);
    diagnostics += day.diagnostics.empty() ? 0 : 1;
    feedback += day.feedback ? 1 : 0;
    with_identifiers += day.feedback && day.feedback->identifiers > 0 ? 1 : 0;
    opt_outs += day.opt_out ? 1 : 0;
  }
  EXPECT_NEAR(diagnostics / double(kDays), mix.diagnostics_share, 0.01);
  EXPECT_NEAR(feedback / double(kDays), mix.feedback_share, 0.01);
  EXPECT_NEAR(opt_outs / double(kDays), mix.opt_out_share, 0.005);
  EXPECT_NEAR(with_identifiers / double(feedback), mix.identifier_share, 0.05);
}

TEST(PingMix, JoinersOptInAndZeroSharesSendOnlyTheBaseline) {
  PingMixOptions none{
      .diagnostics_share = 0, .feedback_share = 0, .identifier_share = 0, .opt_out_share = 0};
  MixRandom random(3);
  DayPlan day = PlanParticipantDay(none, /*joins_today=*/true, random);
  EXPECT_TRUE(day.opt_in);
  EXPECT_EQ(day.PingCount(), 1);
}

TEST(PingMix, TheShareOfUsersJoiningAtFirstBootIsUxpShare) {
  for (double share : {0.0, 0.25, 0.5, 1.0}) {
    int joined = 0;
    for (int i = 0; i < kDays; ++i) {
      MixRandom random = DeviceRandom(1, static_cast<uint64_t>(i));
      joined += JoinsAtFirstBoot(share, random) ? 1 : 0;
    }
    EXPECT_NEAR(joined / double(kDays), share, 0.01) << share;
  }
}

TEST(PingMix, SameSeedSameDaysOtherDeviceOtherDays) {
  PingMixOptions mix;
  auto days = [&mix](uint64_t seed, uint64_t index) {
    MixRandom random = DeviceRandom(seed, index);
    std::string out;
    for (int i = 0; i < 50; ++i) {
      DayPlan d = PlanParticipantDay(mix, false, random);
      out += std::to_string(d.session_seconds) + (d.feedback ? d.feedback->text : "") + "|";
      for (const auto& [name, value] : d.diagnostics) out += name + "=" + value + ",";
    }
    return out;
  };
  EXPECT_EQ(days(1, 7), days(1, 7));
  EXPECT_NE(days(1, 7), days(1, 8));
  EXPECT_NE(days(1, 7), days(2, 7));
}

TEST(PingMix, FeedbackIdentifiersAreFoundByTheServersScanner) {
  auto scanner = privacy::IdentifierScanner::Create({.default_phone_region = "SG"});
  ASSERT_TRUE(scanner.ok()) << scanner.status().ToString();
  MixRandom random(5);
  for (int i = 0; i < 500; ++i) {
    FeedbackEntry with = MakeFeedback(/*with_identifiers=*/true, random);
    EXPECT_GE(with.rating, 1);
    EXPECT_LE(with.rating, 5);
    EXPECT_EQ(static_cast<int>(scanner->Scan(with.text).size()), with.identifiers) << with.text;
    FeedbackEntry without = MakeFeedback(/*with_identifiers=*/false, random);
    EXPECT_EQ(without.identifiers, 0);
    EXPECT_TRUE(scanner->Scan(without.text).empty()) << without.text;
  }
}

TEST(PingMix, DiagnosticsValuesAreWhatTheAgentRecords) {
  PingMixOptions mix;
  mix.diagnostics_share = 1;
  MixRandom random(9);
  for (int i = 0; i < 200; ++i) {
    DayPlan day = PlanParticipantDay(mix, false, random);
    ASSERT_FALSE(day.diagnostics.empty());
    for (const auto& [name, value] : day.diagnostics) {
      EXPECT_EQ(name.rfind("diagnostics.", 0), 0u) << name;
      if (name == "diagnostics.free_storage") {
        EXPECT_EQ(std::stoll(value) % 256, 0) << "free storage is rounded to 256 MiB";
      }
    }
  }
}

}  // namespace
}  // namespace homeport::fleet
