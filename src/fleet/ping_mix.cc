// The day generator: the shares of PingMixOptions and plausible diagnostics values.
#include "fleet/ping_mix.h"

#include <array>
#include <string_view>

#include "privacy/luhn.h"

namespace homeport::fleet {
namespace {

constexpr std::array<std::string_view, 8> kComplaints = {
    "The camera app is slow to open.",
    "Battery drains fast overnight since the last update.",
    "Screen flickers at low brightness.",
    "Wi-Fi drops when the phone is locked.",
    "Love the new gesture navigation!",
    "Phone gets hot while charging and playing video.",
    "The fingerprint reader fails with wet fingers.",
    "Calls drop in the lift at work.",
};

constexpr std::array<std::string_view, 6> kThermalLabels = {"light",    "moderate",  "severe",
                                                            "critical", "emergency", "shutdown"};

std::string Digits(MixRandom& random, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += static_cast<char>('0' + random.Between(0, 9));
  return out;
}

// A 15-digit IMEI with a plausible reporting-body prefix ("35": BABT) and a valid check digit.
std::string Imei(MixRandom& random) {
  std::string body = "35" + Digits(random, 12);
  return body + privacy::LuhnCheckDigit(body);
}

// A Singapore fixed-line number ("+65 61xx xxxx"): valid in libphonenumber's plan for SG.
std::string Phone(MixRandom& random) {
  return "+65 61" + Digits(random, 2) + " " + Digits(random, 4);
}

std::string Email(MixRandom& random) {
  static constexpr std::array<std::string_view, 5> kNames = {"jo", "alex.tan", "mei", "sam.lee",
                                                             "priya"};
  return std::string(kNames[static_cast<size_t>(random.Between(0, kNames.size() - 1))]) +
         Digits(random, 3) + "@example.com";
}

std::vector<std::pair<std::string, std::string>> Diagnostics(MixRandom& random) {
  std::vector<std::pair<std::string, std::string>> values;
  auto add = [&values](std::string name, int64_t v) {
    values.emplace_back(std::move(name), std::to_string(v));
  };
  add("diagnostics.app_starts", random.Between(1, 6));
  if (random.Chance(0.3)) add("diagnostics.crash_count", random.Between(1, 3));
  if (random.Chance(0.15)) add("diagnostics.anr_count", random.Between(1, 2));
  add("diagnostics.battery_cycle_count", random.Between(20, 900));
  add("diagnostics.boot_time", random.Between(8000, 30000));
  add("diagnostics.free_storage", 256 * random.Between(4, 256));
  if (random.Chance(0.2)) {
    // Mostly the mild statuses, as phones report them.
    const auto label = kThermalLabels[static_cast<size_t>(random.Between(0, 2))];
    add("diagnostics.thermal_throttling/" + std::string(label), random.Between(1, 3));
  }
  if (random.Chance(0.01)) {
    values.emplace_back("diagnostics.thermal_shutdown",
                        "battery_temperature=" + std::to_string(random.Between(45, 58)) +
                            ",while_charging=" + (random.Chance(0.5) ? "true" : "false"));
  }
  return values;
}

}  // namespace

uint64_t MixRandom::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double MixRandom::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

int64_t MixRandom::Between(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  const auto span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int64_t>(Next() % span);
}

MixRandom DeviceRandom(uint64_t seed, uint64_t index) {
  // One draw of a generator seeded by the pair spreads neighbouring indices apart.
  MixRandom mixer(seed * 0x100000001b3ULL ^ index);
  return MixRandom(mixer.Next());
}

int DayPlan::PingCount() const {
  return (baseline ? 1 : 0) + (diagnostics.empty() ? 0 : 1) + (feedback ? 1 : 0) +
         (opt_out ? 1 : 0);
}

bool JoinsAtFirstBoot(double uxp_share, MixRandom& random) { return random.Chance(uxp_share); }

DayPlan PlanParticipantDay(const PingMixOptions& mix, bool joins_today, MixRandom& random) {
  DayPlan day;
  day.opt_in = joins_today;
  day.baseline = true;
  day.session_seconds = random.Between(60, 4 * 3600);
  if (random.Chance(mix.diagnostics_share)) day.diagnostics = Diagnostics(random);
  if (random.Chance(mix.feedback_share)) {
    day.feedback = MakeFeedback(random.Chance(mix.identifier_share), random);
  }
  day.opt_out = random.Chance(mix.opt_out_share);
  return day;
}

FeedbackEntry MakeFeedback(bool with_identifiers, MixRandom& random) {
  FeedbackEntry entry;
  entry.text =
      std::string(kComplaints[static_cast<size_t>(random.Between(0, kComplaints.size() - 1))]);
  entry.rating = static_cast<int>(random.Between(1, 5));
  if (!with_identifiers) return entry;
  switch (random.Between(0, 3)) {
    case 0:
      entry.text += " My IMEI is " + Imei(random) + ".";
      entry.identifiers = 1;
      break;
    case 1:
      entry.text += " Call me on " + Phone(random) + ".";
      entry.identifiers = 1;
      break;
    case 2:
      entry.text += " Mail me at " + Email(random) + ".";
      entry.identifiers = 1;
      break;
    default:
      entry.text +=
          " IMEI " + Imei(random) + ", call " + Phone(random) + " or mail " + Email(random) + ".";
      entry.identifiers = 3;
      break;
  }
  return entry;
}

}  // namespace homeport::fleet
