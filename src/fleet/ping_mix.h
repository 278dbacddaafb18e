// What a simulated device's user does in one day: joins or leaves the User Experience Program,
// uses the phone for a while (a Glean baseline ping), produces diagnostics (crashes, boot time,
// battery wear...) and now and then types feedback — sometimes with an IMEI, phone number or
// e-mail address in it, which the server must scrub. Pure functions of a seeded generator, so a
// device's days are the same whatever the network does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace homeport::fleet {

// The shares of a day's events. Every field is a probability, 0..1.
struct PingMixOptions {
  double diagnostics_share = 0.9;  // days of a participant with a diagnostics ping
  double feedback_share = 0.1;     // days of a participant with a feedback ping
  double identifier_share = 0.5;   // feedback texts that mention an IMEI, phone number or e-mail
  double opt_out_share = 0.03;     // days of a participant that end with an opt-out
};

// A small, fast generator (SplitMix64) with one word of state, so a million devices each keep
// their own: a device's choices do not depend on the order the network answers in.
class MixRandom {
 public:
  explicit MixRandom(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, 1).
  double Uniform();
  bool Chance(double probability) { return Uniform() < probability; }
  // Uniform in [lo, hi], both included.
  int64_t Between(int64_t lo, int64_t hi);

 private:
  uint64_t state_;
};

// The generator of device number `index` (0-based) of a run seeded with `seed`.
MixRandom DeviceRandom(uint64_t seed, uint64_t index);

struct FeedbackEntry {
  std::string text;
  int rating = 3;       // 1..5
  int identifiers = 0;  // IMEIs, phone numbers and e-mail addresses in `text`
};

struct DayPlan {
  bool opt_in = false;  // the user joins the program this morning (a new, random client id)
  // While in the program: the day's baseline ping, the app in use for this long.
  bool baseline = false;
  int64_t session_seconds = 0;
  // Values for the diagnostics ping as the agent's Record() takes them ("diagnostics.crash_count",
  // "2"); empty: no diagnostics ping today.
  std::vector<std::pair<std::string, std::string>> diagnostics;
  std::optional<FeedbackEntry> feedback;
  bool opt_out = false;  // the day ends with an opt-out: a deletion-request ping

  // Pings the day sends (activation not included).
  int PingCount() const;
};

// Whether a device's user is in the program from the first day: true for `uxp_share` of them.
bool JoinsAtFirstBoot(double uxp_share, MixRandom& random);

// A day of a user in the program; `joins_today` when they opt in this morning. Who joins and
// when is the simulator's (it keeps the share of participants steady over many days).
DayPlan PlanParticipantDay(const PingMixOptions& mix, bool joins_today, MixRandom& random);

// Feedback as users write it; with `with_identifiers`, it mentions an IMEI (valid Luhn digit,
// after the word "IMEI"), a Singapore phone number in international form, an e-mail address,
// or all three.
FeedbackEntry MakeFeedback(bool with_identifiers, MixRandom& random);

}  // namespace homeport::fleet
