// `homeport fleet simulate`: many simulated devices against a region's server, for demos, load
// and soak runs. Progress goes to stderr (one redrawn line on a terminal, a plain line every few
// seconds otherwise); the summary goes to stdout, as text or --json. Exit 1 when any request
// was given up on.
#include <unistd.h>

#include <cstdio>

#include "command.h"
#include "common/terminal_text.h"
#include "fleet/fleet_simulator.h"

namespace homeport::cli {
namespace {

// A year: longer than any run, and far from overflowing the clock's arithmetic.
constexpr double kMaxSeconds = 365.0 * 24 * 3600;

struct SimulateArgs {
  fleet::FleetOptions options;
  std::optional<double> duration;
  bool json = false;
  bool quiet = false;
};

fleet::FleetProgress ProgressDisplay(bool quiet) {
  fleet::FleetProgress progress;
  if (quiet) return progress;
  if (isatty(STDERR_FILENO)) {
    progress.interval = std::chrono::milliseconds(250);
    progress.on_progress = [](const fleet::FleetReport& r) {
      // \r and erase-to-end-of-line: the line is redrawn in place.
      std::fprintf(stderr, "\r%s\033[K", fleet::ProgressLine(r).c_str());
      std::fflush(stderr);
    };
  } else {
    progress.interval = std::chrono::seconds(5);
    progress.on_progress = [](const fleet::FleetReport& r) {
      std::fprintf(stderr, "%s\n", fleet::ProgressLine(r).c_str());
    };
  }
  return progress;
}

}  // namespace

void AddFleetCommands(CLI::App& app, Commands& commands) {
  auto* fleet_cmd =
      app.add_subcommand("fleet", "simulated devices against a region's server: demo, load, soak");
  fleet_cmd->require_subcommand(1);

  auto a = std::make_shared<SimulateArgs>();
  fleet::FleetOptions& o = a->options;
  auto* simulate = fleet_cmd->add_subcommand(
      "simulate",
      "activate devices of a factory batch and play their UX-program days on one event loop");
  simulate->add_option("--batch", o.batch_dir, "factory batch directory (homeport factory batch)")
      ->required();
  simulate->add_option("--manifest", o.manifest_path, "the devices' signed region manifest")
      ->required();
  simulate->add_option("--devices", o.devices, "devices to simulate, the first N of the batch")
      ->required()
      ->check(WholeNumberIn(1, 1'000'000));
  simulate->add_option("--concurrency", o.concurrency, "HTTP connections = requests in flight")
      ->capture_default_str()
      ->check(WholeNumberIn(1, 4096));
  simulate
      ->add_option("--uxp-share", o.uxp_share,
                   "fraction of devices whose user opts in to the UX program (0..1)")
      ->capture_default_str()
      ->check(NumberIn(0, 1, "a fraction"));
  simulate
      ->add_option("--duration", a->duration,
                   "seconds to keep playing days (default: one day per device, then stop)")
      ->check(NumberIn(0.001, kMaxSeconds, "a number of seconds"));
  simulate
      ->add_option("--day-seconds", o.day_seconds,
                   "with --duration: shortest real time of a simulated day")
      ->capture_default_str()
      ->check(NumberIn(0, 86'400, "a number of seconds"));
  simulate
      ->add_option("--rate", o.rate,
                   "requests per second on a fixed schedule (0: as fast as possible)")
      ->capture_default_str()
      ->check(NumberIn(0, 1e7, "a number of requests per second"));
  simulate->add_option("--server", o.server_url,
                       "send to this base URL instead of the manifest's (still verified)");
  simulate->add_option("--ca", o.ca_file, "PEM bundle of trusted CAs for https");
  simulate->add_option("--timeout", o.request_timeout_seconds, "seconds one request may take")
      ->capture_default_str()
      ->check(NumberIn(0.001, 3'600, "a number of seconds"));
  simulate
      ->add_option("--max-attempts", o.max_attempts,
                   "tries of a request (3xx, 408, 429, 5xx and connection failures are retried)")
      ->capture_default_str()
      ->check(WholeNumberIn(1, 1'000));
  simulate->add_option("--client-version", o.client_version,
                       "the client version every device reports (default: its profile's), as "
                       "after an update: with a newer --manifest, a rerun plays a fix rollout");
  simulate->add_option("--seed", o.seed, "seed of what the users do; ids are always random")
      ->capture_default_str()
      ->check(WholeNumberIn(0, 999'999'999'999'999'999));
  simulate
      ->add_option("--feedback-share", o.mix.feedback_share,
                   "participants' days with a feedback ping (0..1)")
      ->capture_default_str()
      ->check(NumberIn(0, 1, "a fraction"));
  simulate
      ->add_option("--opt-out-share", o.mix.opt_out_share,
                   "participants' days that end in an opt-out (0..1)")
      ->capture_default_str()
      ->check(NumberIn(0, 1, "a fraction"));
  simulate->add_flag("--json", a->json, "print the summary as JSON");
  simulate->add_flag("--quiet", a->quiet, "no progress display");
  simulate->callback([&commands, a] {
    commands.run = [a] {
      a->options.duration_seconds = a->duration;
      if (Status st = fleet::ValidateFleetOptions(a->options); !st.ok()) return Fail(st);
      auto report = fleet::SimulateFleet(a->options, ProgressDisplay(a->quiet));
      if (!a->quiet && isatty(STDERR_FILENO)) std::fprintf(stderr, "\r\033[K");
      if (!report.ok()) return Fail(report.status());
      if (a->json) {
        std::printf("%s\n", TerminalSafeJson(fleet::ReportJson(*report)).c_str());
      } else {
        std::fputs(fleet::FormatReport(*report).c_str(), stdout);
      }
      if (report->failed() > 0) {
        return Fail(std::to_string(report->failed()) + " requests failed");
      }
      return 0;
    };
  });
}

}  // namespace homeport::cli
