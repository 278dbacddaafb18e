#include "audit_capture_input.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cmath>

#include "audit/capture/live_source.h"
#include "audit/capture/pcap_source.h"
#include "command.h"

namespace homeport::cli {
namespace {

// Set by the handlers below; read by the sources' wait loops.
volatile std::sig_atomic_t stop_requested = 0;
volatile std::sig_atomic_t interrupts = 0;

// A live capture stops at the first SIGINT or SIGTERM. A stream stops at SIGTERM or the second
// SIGINT: the first one is Ctrl-C reaching the whole pipeline, and the producer ending its
// output is the clean way for the stream to end.
bool stream_mode = false;

extern "C" void OnStopSignal(int signal) {
  if (signal == SIGINT && stream_mode) {
    interrupts = interrupts + 1;
    if (interrupts < 2) return;
  }
  stop_requested = 1;
}

void InstallStopHandlers(bool stream) {
  stream_mode = stream;
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocked poll returns and sees the flag
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

constexpr double kMaxDurationSeconds = 7 * 24 * 3600;

Result<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno != 0 || !std::isfinite(v) ||
      v <= 0 || v > kMaxDurationSeconds || text.find_first_of("xXpP") != std::string::npos) {
    return Status::InvalidArgument("--duration must be a number of seconds from 0.001 to " +
                                   std::to_string(static_cast<int>(kMaxDurationSeconds)) +
                                   ", not \"" + text + "\"");
  }
  return std::chrono::milliseconds(std::max<long long>(1, std::llround(v * 1000)));
}

}  // namespace

void AddCaptureInputOptions(CLI::App* cmd, CaptureInputArgs& args) {
  cmd->add_option("file", args.file,
                  "pcap or pcapng capture; \"-\" reads it from standard input "
                  "(tcpdump -w - | homeport audit capture -)");
  cmd->add_option("--interface,-i", args.interface,
                  "capture live on this interface instead (needs root or CAP_NET_RAW); Ctrl-C "
                  "ends the capture and prints the report");
  cmd->add_option("--duration", args.duration,
                  "with --interface: seconds to capture (default: until Ctrl-C)");
  cmd->add_option("--filter", args.filter,
                  "with --interface: a capture filter, as tcpdump takes it (e.g. 'host 10.0.0.7')");
  cmd->add_option("--write", args.write,
                  "with --interface: also save the frames as a pcap file (its SHA-256 is the "
                  "report's input_sha256)");
}

Result<CaptureInput> OpenCaptureInput(const CaptureInputArgs& a) {
  const bool live = !a.interface.empty();
  if (live && !a.file.empty()) {
    return Status::InvalidArgument(
        "give either a capture (FILE, or - for standard input) or --interface, not both");
  }
  if (!live && a.file.empty()) {
    return Status::InvalidArgument(
        "audit capture needs a capture: FILE, - for standard input, or --interface IF to "
        "capture live");
  }
  if (!live) {
    for (const auto& [flag, value] : {std::pair<const char*, const std::string&>{"--duration", a.duration},
                                      {"--filter", a.filter},
                                      {"--write", a.write}}) {
      if (!value.empty()) {
        return Status::InvalidArgument(std::string(flag) +
                                       " applies to a live capture (--interface) only");
      }
    }
  }
  CaptureInput input;
  if (a.file == "-") {
    if (isatty(STDIN_FILENO)) {
      return Status::InvalidArgument(
          "\"-\" reads a capture from standard input, which is a terminal; pipe one in "
          "(tcpdump -w - | homeport audit capture -)");
    }
    InstallStopHandlers(/*stream=*/true);
    HOMEPORT_ASSIGN_OR_RETURN(
        audit::capture::PcapSource source,
        audit::capture::PcapSource::OpenStream(STDIN_FILENO, "standard input",
                                               {.stop = &stop_requested}));
    input.source = std::make_unique<audit::capture::PcapSource>(std::move(source));
    input.kind = audit::InputKind::kStream;
    input.name = "-";
    return input;
  }
  if (!live) {
    HOMEPORT_ASSIGN_OR_RETURN(audit::capture::PcapSource source,
                              audit::capture::PcapSource::Open(a.file));
    input.source = std::make_unique<audit::capture::PcapSource>(std::move(source));
    input.name = a.file;
    return input;
  }
  audit::capture::LiveCaptureOptions options;
  options.interface = a.interface;
  options.filter = a.filter;
  options.write_path = a.write;
  options.stop = &stop_requested;
  if (!a.duration.empty()) {
    HOMEPORT_ASSIGN_OR_RETURN(options.duration, ParseDuration(a.duration));
  }
  InstallStopHandlers(/*stream=*/false);
  HOMEPORT_ASSIGN_OR_RETURN(auto source, audit::capture::LiveSource::Open(options));
  Warn("capturing on " + a.interface +
       (a.duration.empty() ? std::string() : " for " + a.duration + " s") +
       "; Ctrl-C ends the capture and prints the report");
  input.source = std::move(source);
  input.kind = audit::InputKind::kLive;
  input.name = a.interface;
  return input;
}

void DescribeCaptureInput(CaptureInput& input, audit::Provenance& provenance) {
  audit::capture::FrameSource& source = *input.source;
  provenance.input_kind = input.kind;
  provenance.input = input.name;
  provenance.capture = true;
  const audit::capture::InputDigest digest = source.Digest();
  provenance.input_sha256 = digest.sha256;
  provenance.input_sha256_problem = digest.problem;
  if (const auto& t = source.first_frame_time()) {
    provenance.capture_start = audit::CaptureTimestamp(t->seconds, t->microseconds);
  }
  if (const auto& t = source.last_frame_time()) {
    provenance.capture_end = audit::CaptureTimestamp(t->seconds, t->microseconds);
  }
  if (input.kind == audit::InputKind::kLive) {
    const auto& live = static_cast<const audit::capture::LiveSource&>(source);
    provenance.frames_dropped = live.dropped();
    if (live.dropped() > 0) {
      Warn("warning: " + std::to_string(live.dropped()) +
           " frames were dropped by the kernel and not inspected");
    }
  } else if (input.kind == audit::InputKind::kStream &&
             static_cast<const audit::capture::PcapSource&>(source).stopped()) {
    Warn("warning: stopped before the end of standard input; the report covers the " +
         std::to_string(source.frames()) + " frames read");
  }
}

}  // namespace homeport::cli
