// Text, JSON and progress renderings of a FleetReport.
#include "fleet/fleet_report.h"

#include <cmath>
#include <cstdio>

#include "common/terminal_text.h"

namespace homeport::fleet {
namespace {

using nlohmann::json;

// 1234567 -> "1,234,567": counts in the thousands are read at a glance.
std::string Grouped(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

double Ms(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; }

// "2,000" for a whole rate, "0.5" or "12.25" otherwise.
std::string RateText(double rate) {
  if (rate == std::floor(rate)) return Grouped(static_cast<int64_t>(rate));
  return Fixed(rate, 2);
}

json LatencyJson(const LatencyHistogram& h) {
  return {{"p50", Ms(h.Percentile(0.50))},
          {"p90", Ms(h.Percentile(0.90))},
          {"p99", Ms(h.Percentile(0.99))},
          {"max", Ms(h.max())},
          {"mean", Ms(h.mean())}};
}

std::string Padded(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

}  // namespace

std::string ErrorKey::ToString() const {
  if (status == 0) return code;
  return "HTTP " + std::to_string(status) + (code.empty() ? "" : " " + code);
}

int64_t FleetReport::failed() const {
  int64_t n = 0;
  for (const KindTally& k : kinds) n += k.failed;
  return n;
}

double FleetReport::requests_per_second() const {
  return elapsed_seconds > 0 ? static_cast<double>(requests) / elapsed_seconds : 0;
}

std::string FormatReport(const FleetReport& r) {
  std::string out =
      "homeport fleet: " + Grouped(r.devices) + " devices of region " + TerminalSafe(r.region) +
      ", " + std::to_string(r.concurrency) + " connections, " +
      (r.rate > 0 ? "paced at " + RateText(r.rate) + " requests/s" : "closed loop") + "\n";
  auto line = [&out](const std::string& label, const std::string& text) {
    out += "  " + Padded(label, 24) + text + "\n";
  };
  line("server",
       TerminalSafe(r.activation_url == r.uxp_url
                        ? r.activation_url
                        : r.activation_url + " (activations), " + r.uxp_url + " (UX program)"));
  line("ran", Fixed(r.elapsed_seconds, 2) + " s, " + Grouped(r.requests) + " requests, " +
                  Grouped(std::llround(r.requests_per_second())) + " requests/s" +
                  (r.sent_late ? ", " + Grouped(r.sent_late) + " sent over 1 ms late" : ""));
  if (r.slots_skipped > 0) {
    line("", Grouped(r.slots_skipped) +
                 " send times skipped: no device had a request ready (simulate more devices, or"
                 " shorten --day-seconds)");
  }
  line("latency", "p50 " + Fixed(Ms(r.latency.Percentile(0.50)), 2) + " ms   p90 " +
                      Fixed(Ms(r.latency.Percentile(0.90)), 2) + " ms   p99 " +
                      Fixed(Ms(r.latency.Percentile(0.99)), 2) + " ms   max " +
                      Fixed(Ms(r.latency.max()), 2) + " ms" +
                      (r.rate > 0 ? " (from the scheduled send time)" : ""));
  const KindTally& act = r.kind(RequestKind::kActivation);
  line("activations", Grouped(act.ok) + " ok (" + Grouped(r.activated) + " new, " +
                          Grouped(r.already_activated) + " already known, " +
                          Grouped(r.checked_in) + " checked in), " + Grouped(act.failed) +
                          " failed");
  for (RequestKind k : {RequestKind::kBaseline, RequestKind::kDiagnostics, RequestKind::kFeedback,
                        RequestKind::kDeletionRequest}) {
    const KindTally& t = r.kind(k);
    std::string text = Grouped(t.ok) + " ok, " + Grouped(t.failed) + " failed";
    if (k == RequestKind::kFeedback && r.feedback_identifiers > 0) {
      text += " (" + Grouped(r.feedback_identifiers) +
              " IMEIs, phone numbers and e-mails typed in, for the server to scrub)";
    }
    line(std::string(RequestKindName(k)) + " pings", text);
  }
  line("UX program", Grouped(r.opt_ins) + " opted in, " + Grouped(r.opt_outs) + " opted out, " +
                         Grouped(r.participants) + " taking part at the end; " + Grouped(r.days) +
                         " device days");
  if (r.errors.empty()) {
    line("errors", "none");
  } else {
    bool first = true;
    for (const auto& [key, tally] : r.errors) {
      // The error code is the server's word, a connection failure the system's: either may
      // carry anything.
      line(first ? "errors" : "", Padded(TerminalSafe(key.ToString()), 34) + " " +
                                      Grouped(tally.count) + " tries, " + Grouped(tally.retried) +
                                      " retried, " + Grouped(tally.gave_up) + " given up");
      first = false;
    }
  }
  if (r.unfinished > 0) {
    line("unfinished", Grouped(r.unfinished) + " requests cut off by the end of --duration");
  }
  if (r.failed() > 0) {
    out += "FAILED: " + Grouped(r.failed()) + " requests were given up on\n";
  }
  return out;
}

json ReportJson(const FleetReport& r) {
  json kinds = json::object();
  for (int i = 0; i < kRequestKinds; ++i) {
    const KindTally& t = r.kinds[static_cast<size_t>(i)];
    kinds[std::string(RequestKindName(static_cast<RequestKind>(i)))] = {
        {"ok", t.ok}, {"failed", t.failed}, {"latency_ms", LatencyJson(t.latency)}};
  }
  json errors = json::array();
  for (const auto& [key, tally] : r.errors) {
    errors.push_back({{"status", key.status},
                      {"code", key.code},
                      {"count", tally.count},
                      {"retried", tally.retried},
                      {"gave_up", tally.gave_up}});
  }
  return {{"devices", r.devices},
          {"concurrency", r.concurrency},
          {"rate", r.rate > 0 ? json(r.rate) : json(nullptr)},
          {"region", r.region},
          {"activation_url", r.activation_url},
          {"uxp_url", r.uxp_url},
          {"elapsed_s", r.elapsed_seconds},
          {"requests", r.requests},
          {"requests_per_s", r.requests_per_second()},
          {"latency_ms", LatencyJson(r.latency)},
          {"requests_by_kind", kinds},
          {"activations",
           {{"activated", r.activated},
            {"already_activated", r.already_activated},
            {"checked_in", r.checked_in}}},
          {"uxp",
           {{"opt_ins", r.opt_ins},
            {"opt_outs", r.opt_outs},
            {"participants", r.participants},
            {"feedback_identifiers", r.feedback_identifiers}}},
          {"days", r.days},
          {"errors", errors},
          {"failed", r.failed()},
          {"unfinished", r.unfinished},
          {"sent_late", r.sent_late},
          {"slots_skipped", r.slots_skipped}};
}

std::string ProgressLine(const FleetReport& r) {
  int64_t pings = 0, errors = 0;
  for (int i = 1; i < kRequestKinds; ++i) pings += r.kinds[static_cast<size_t>(i)].ok;
  for (const auto& [key, tally] : r.errors) errors += tally.count;
  return "fleet " + Fixed(r.elapsed_seconds, 1) + " s  " + Grouped(r.requests) + " requests  " +
         Fixed(r.requests_per_second(), 0) + "/s  p99 " + Fixed(Ms(r.latency.Percentile(0.99)), 1) +
         " ms  activated " + Grouped(r.kind(RequestKind::kActivation).ok) + "/" +
         Grouped(r.devices) + "  pings " + Grouped(pings) + "  in flight " + Grouped(r.in_flight) +
         "  retrying " + Grouped(r.waiting) + "  errors " + Grouped(errors);
}

}  // namespace homeport::fleet
