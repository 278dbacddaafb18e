// The simulator's event loop. Devices wait in a ready queue; a free connection lane takes the
// next device and sends its current request; the answer moves the device on (next request, a
// retry after backoff, or the end of its day). With --rate, send times come from a fixed
// schedule instead of from free lanes. Everything runs on one thread, so no state is locked.
#include "fleet/fleet_simulator.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cmath>
#include <deque>
#include <queue>

#include "agent/activation_protocol.h"
#include "agent/http_retry.h"
#include "fleet/fleet_loader.h"
#include "fleet/http_client.h"
#include "fleet/simulated_device.h"

namespace homeport::fleet {
namespace {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

Clock::duration Seconds(double s) {
  return duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

// homeport's JSON error code ("rate_limited"), or "" for another body.
std::string ErrorCodeOf(const TransportResponse& response) {
  auto j = nlohmann::json::parse(response.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) {
    return j["error"].get<std::string>();
  }
  return "";
}

class FleetRun {
 public:
  FleetRun(const FleetOptions& options, LoadedFleet fleet, const FleetProgress& progress)
      : options_(options),
        env_(*options.env),
        fleet_(std::move(fleet)),
        progress_(progress),
        run_random_(DeviceRandom(options.seed, ~0ULL)),
        wake_timer_(io_),
        pace_timer_(io_),
        tick_timer_(io_),
        end_timer_(io_) {}

  Status Prepare();
  FleetReport Run();

 private:
  struct Wake {
    Clock::time_point at;
    uint32_t device;
    bool operator>(const Wake& o) const { return at > o.at; }
  };

  bool until_duration() const { return options_.duration_seconds.has_value(); }

  void Dispatch();
  void Send(int lane, uint32_t d, std::optional<Clock::time_point> scheduled);
  void OnAnswer(int lane, uint32_t d, Clock::time_point scheduled, RequestKind kind,
                Result<TransportResponse> answer);
  // The request was accepted: count what it did. `activation` is the outcome of an activation.
  void Accepted(uint32_t d, RequestKind kind, std::optional<ActivationOutcome> activation);
  // The device's next step once its current request is finished.
  void Continue(uint32_t d);
  void EndOfDay(uint32_t d);
  void NextDay(uint32_t d);
  void StartDayNow(uint32_t d);
  void WakeAt(Clock::time_point at, uint32_t d);
  void ArmWakeTimer();
  void Pace();
  void Tick();
  void MaybeFinish();
  void Finish();
  FleetReport Snapshot() const;

  const FleetOptions& options_;
  Env& env_;
  LoadedFleet fleet_;
  const FleetProgress& progress_;
  MixRandom run_random_;  // who joins the program when a participant leaves
  agent::RetryPolicy backoff_;

  // The I/O objects below use io_ and are destroyed before it.
  net::io_context io_;
  std::unique_ptr<HttpClient> client_;
  net::steady_timer wake_timer_, pace_timer_, tick_timer_, end_timer_;
  Clock::time_point wake_armed_for_ = Clock::time_point::max();

  std::vector<SimulatedDevice> devices_;
  std::vector<Clock::time_point> day_started_;
  std::vector<uint8_t> joins_next_day_;
  std::deque<uint32_t> ready_;       // devices whose current request may go out now
  std::vector<uint32_t> outsiders_;  // --duration: devices outside the program, idle
  std::priority_queue<Wake, std::vector<Wake>, std::greater<>> wakes_;
  std::vector<int> idle_lanes_;
  std::deque<Clock::time_point> due_;  // --rate: send times that came due, oldest first
  int64_t slots_released_ = 0;

  FleetReport report_;
  Clock::time_point start_, end_;
  int64_t devices_done_ = 0;
  bool stopping_ = false, finished_ = false;
};

Status FleetRun::Prepare() {
  if (!options_.server_url.empty()) {
    fleet_.manifest.activation_url = options_.server_url;
    fleet_.manifest.uxp_url = options_.server_url;
  }
  HttpClientOptions http;
  http.lanes = options_.concurrency;
  http.request_timeout = milliseconds(std::llround(options_.request_timeout_seconds * 1000));
  http.ca_file = options_.ca_file;
  http.tls_pins = fleet_.manifest.tls_pins;
  HOMEPORT_ASSIGN_OR_RETURN(
      client_,
      HttpClient::Create(io_, http, {fleet_.manifest.activation_url, fleet_.manifest.uxp_url}));

  devices_.reserve(fleet_.devices.size());
  for (size_t i = 0; i < fleet_.devices.size(); ++i) {
    MixRandom random = DeviceRandom(options_.seed, i);
    const bool joins = JoinsAtFirstBoot(options_.uxp_share, random);
    devices_.emplace_back(fleet_.devices[i], fleet_.manifest, random, joins);
  }
  day_started_.assign(devices_.size(), Clock::time_point());
  joins_next_day_.assign(devices_.size(), 0);
  for (int lane = options_.concurrency - 1; lane >= 0; --lane) idle_lanes_.push_back(lane);

  report_.devices = static_cast<int>(devices_.size());
  report_.concurrency = options_.concurrency;
  report_.rate = options_.rate;
  report_.region = fleet_.manifest.region;
  report_.activation_url = fleet_.manifest.activation_url;
  report_.uxp_url = fleet_.manifest.uxp_url;
  return Status::Ok();
}

FleetReport FleetRun::Run() {
  start_ = Clock::now();
  for (uint32_t d = 0; d < devices_.size(); ++d) StartDayNow(d);
  if (until_duration()) {
    end_timer_.expires_at(start_ + Seconds(*options_.duration_seconds));
    end_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || finished_) return;
      stopping_ = true;
      due_.clear();
      MaybeFinish();
    });
  }
  if (progress_.on_progress) {
    tick_timer_.expires_after(progress_.interval);
    tick_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) Tick();
    });
  }
  if (options_.rate > 0) {
    Pace();
  } else {
    Dispatch();
  }
  MaybeFinish();
  io_.run();
  return Snapshot();
}

void FleetRun::Dispatch() {
  while (!stopping_ && !finished_ && !idle_lanes_.empty() && !ready_.empty()) {
    // Closed loop: the latency clock starts once the request is built (Send).
    std::optional<Clock::time_point> scheduled;
    if (options_.rate > 0) {
      if (due_.empty()) break;
      scheduled = due_.front();
      due_.pop_front();
    }
    const uint32_t d = ready_.front();
    ready_.pop_front();
    const int lane = idle_lanes_.back();
    idle_lanes_.pop_back();
    Send(lane, d, scheduled);
  }
}

void FleetRun::Send(int lane, uint32_t d, std::optional<Clock::time_point> schedule) {
  SimulatedDevice& device = devices_[d];
  const RequestKind kind = device.current_kind();
  auto request = device.CurrentRequest(env_);
  if (!request.ok()) {
    // The mix produced something the agent's own code refuses: a bug, reported as a failure.
    ErrorTally& tally = report_.errors[{0, "not built: " + request.status().message()}];
    ++tally.count;
    ++tally.gave_up;
    ++report_.kind(kind).failed;
    idle_lanes_.push_back(lane);
    device.PopRequest();
    return Continue(d);
  }
  ++device.attempts;
  ++report_.in_flight;
  const Clock::time_point now = Clock::now();
  const Clock::time_point scheduled = schedule.value_or(now);
  if (now - scheduled > milliseconds(1)) ++report_.sent_late;
  client_->Post(lane, **request,
                [this, lane, d, scheduled, kind](Result<TransportResponse> answer) {
                  OnAnswer(lane, d, scheduled, kind, std::move(answer));
                });
}

void FleetRun::OnAnswer(int lane, uint32_t d, Clock::time_point scheduled, RequestKind kind,
                        Result<TransportResponse> answer) {
  if (finished_) return;
  const Clock::time_point now = Clock::now();
  --report_.in_flight;
  ++report_.requests;
  const auto latency = duration_cast<std::chrono::microseconds>(now - scheduled);
  report_.latency.Record(latency);
  report_.kind(kind).latency.Record(latency);
  idle_lanes_.push_back(lane);
  SimulatedDevice& device = devices_[d];

  ErrorKey error;
  bool retryable = false;
  std::optional<std::chrono::seconds> retry_after;
  if (!answer.ok()) {
    error = {0, answer.status().message()};
    retryable = answer.status().IsUnavailable();
  } else if (answer->status >= 200 && answer->status <= 299) {
    Status parsed = Status::Ok();
    std::optional<ActivationOutcome> outcome;
    if (kind == RequestKind::kActivation) {
      // Checked as the agent checks it: the right serial and a valid warranty start.
      auto reply = agent::ParseActivationReply(*answer, device.profile().serial);
      parsed = reply.status();
      if (reply.ok()) outcome = reply->outcome;
    }
    if (parsed.ok()) {
      Accepted(d, kind, outcome);
      device.PopRequest();
      Continue(d);
      Dispatch();
      return MaybeFinish();
    }
    error = {answer->status, "unexpected answer: " + parsed.message()};
  } else {
    error = {answer->status, ErrorCodeOf(*answer)};
    retryable = agent::IsRetryableHttpStatus(answer->status);
    retry_after = agent::RetryAfter(*answer);
  }

  ErrorTally& tally = report_.errors[error];
  ++tally.count;
  if (retryable && stopping_) {
    ++report_.unfinished;
    device.PopRequest();
  } else if (retryable && device.attempts < options_.max_attempts) {
    ++tally.retried;
    ++report_.waiting;
    // The agent's backoff: full jitter, doubling from 0.5 s, never sooner than Retry-After.
    milliseconds wait = agent::JitteredBackoff(device.attempts - 1, backoff_, env_.RandomU64());
    if (retry_after) wait = std::max<milliseconds>(wait, *retry_after);
    WakeAt(now + wait, d);
    Dispatch();
    return MaybeFinish();
  } else {
    ++tally.gave_up;
    ++report_.kind(kind).failed;
    device.PopRequest();
  }
  Continue(d);
  Dispatch();
  MaybeFinish();
}

void FleetRun::Accepted(uint32_t d, RequestKind kind, std::optional<ActivationOutcome> activation) {
  ++report_.kind(kind).ok;
  const SimulatedDevice& device = devices_[d];
  switch (kind) {
    case RequestKind::kActivation:
      if (activation == ActivationOutcome::kActivated) ++report_.activated;
      if (activation == ActivationOutcome::kAlreadyActivated) ++report_.already_activated;
      if (activation == ActivationOutcome::kCheckedIn) ++report_.checked_in;
      break;
    case RequestKind::kFeedback:
      report_.feedback_identifiers += device.today().feedback->identifiers;
      break;
    case RequestKind::kDeletionRequest:
      ++report_.opt_outs;
      break;
    case RequestKind::kBaseline:
    case RequestKind::kDiagnostics:
      break;
  }
}

void FleetRun::Continue(uint32_t d) {
  if (devices_[d].has_request()) {
    ready_.push_back(d);
  } else {
    EndOfDay(d);
  }
}

void FleetRun::EndOfDay(uint32_t d) {
  if (!until_duration()) {
    ++devices_done_;
    return;
  }
  if (stopping_) return;
  SimulatedDevice& device = devices_[d];
  if (device.in_program()) return NextDay(d);
  outsiders_.push_back(d);
  if (!device.today().opt_out) return;
  // Someone else joins as this user leaves, so the share of participants stays near
  // --uxp-share however long the run (with a share of 1 the leaver comes back).
  const size_t pick =
      static_cast<size_t>(run_random_.Between(0, static_cast<int64_t>(outsiders_.size()) - 1));
  const uint32_t joiner = outsiders_[pick];
  outsiders_[pick] = outsiders_.back();
  outsiders_.pop_back();
  joins_next_day_[joiner] = 1;
  NextDay(joiner);
}

void FleetRun::NextDay(uint32_t d) {
  const Clock::time_point at = day_started_[d] + Seconds(options_.day_seconds);
  if (at > Clock::now()) return WakeAt(at, d);
  StartDayNow(d);
}

void FleetRun::StartDayNow(uint32_t d) {
  day_started_[d] = Clock::now();
  SimulatedDevice& device = devices_[d];
  const DayPlan& plan = device.StartDay(options_.mix, joins_next_day_[d] != 0, env_);
  joins_next_day_[d] = 0;
  if (plan.opt_in) ++report_.opt_ins;
  if (device.has_request()) {
    ++report_.days;
    ready_.push_back(d);
  } else {
    EndOfDay(d);
  }
}

void FleetRun::WakeAt(Clock::time_point at, uint32_t d) {
  wakes_.push({at, d});
  ArmWakeTimer();
}

void FleetRun::ArmWakeTimer() {
  if (wakes_.empty() || wakes_.top().at >= wake_armed_for_) return;
  wake_armed_for_ = wakes_.top().at;
  wake_timer_.expires_at(wake_armed_for_);
  wake_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || finished_) return;
    wake_armed_for_ = Clock::time_point::max();
    const Clock::time_point now = Clock::now();
    while (!wakes_.empty() && wakes_.top().at <= now) {
      const uint32_t d = wakes_.top().device;
      wakes_.pop();
      // A retry keeps its request; a device between days starts the next one.
      const bool retry = devices_[d].has_request();
      if (retry) --report_.waiting;
      if (stopping_) {
        if (retry) ++report_.unfinished;
      } else if (retry) {
        ready_.push_back(d);
      } else {
        StartDayNow(d);
      }
    }
    ArmWakeTimer();
    Dispatch();
    MaybeFinish();
  });
}

void FleetRun::Pace() {
  if (stopping_ || finished_) return;
  const double rate = options_.rate;
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const auto due_now = static_cast<int64_t>(std::floor(elapsed * rate)) + 1;
  for (; slots_released_ < due_now; ++slots_released_) {
    // A send time for which no device has anything to send is the fleet's shortage, not the
    // server's slowness: it is skipped rather than charged to a later request. Send times
    // waiting only for a free connection stay, and their wait counts as latency.
    if (due_.size() >= ready_.size()) {
      ++report_.slots_skipped;
      continue;
    }
    due_.push_back(start_ + Seconds(static_cast<double>(slots_released_) / rate));
  }
  Dispatch();
  pace_timer_.expires_at(start_ + Seconds(static_cast<double>(slots_released_) / rate));
  pace_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) Pace();
  });
}

void FleetRun::Tick() {
  if (finished_) return;
  progress_.on_progress(Snapshot());
  tick_timer_.expires_after(progress_.interval);
  tick_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) Tick();
  });
}

void FleetRun::MaybeFinish() {
  if (finished_ || report_.in_flight > 0) return;
  if (!stopping_ && (until_duration() || devices_done_ < static_cast<int64_t>(devices_.size()) ||
                     !wakes_.empty())) {
    return;
  }
  Finish();
}

void FleetRun::Finish() {
  finished_ = true;
  end_ = Clock::now();
  // Retries still waiting when --duration ended did not fail; they were cut off.
  for (; !wakes_.empty(); wakes_.pop()) {
    if (devices_[wakes_.top().device].has_request()) ++report_.unfinished;
  }
  report_.waiting = 0;
  for (net::steady_timer* timer : {&wake_timer_, &pace_timer_, &tick_timer_, &end_timer_}) {
    timer->cancel();
  }
  client_->Close();
  io_.stop();
}

FleetReport FleetRun::Snapshot() const {
  FleetReport r = report_;
  const Clock::time_point until = finished_ ? end_ : Clock::now();
  r.elapsed_seconds = std::chrono::duration<double>(until - start_).count();
  for (const SimulatedDevice& device : devices_) r.participants += device.in_program() ? 1 : 0;
  return r;
}

}  // namespace

Result<FleetReport> SimulateFleet(const FleetOptions& options, const FleetProgress& progress) {
  HOMEPORT_ASSIGN_OR_RETURN(LoadedFleet fleet, LoadFleet(options));
  FleetRun run(options, std::move(fleet), progress);
  HOMEPORT_RETURN_IF_ERROR(run.Prepare());
  return run.Run();
}

}  // namespace homeport::fleet
