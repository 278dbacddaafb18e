// Where `homeport audit capture` reads frames from: a capture file, standard input ("-"), or a
// live capture on an interface (--interface, --duration, --filter, --write). One of the three;
// SIGINT and SIGTERM end a live capture early (and a stream: the second SIGINT, since the
// first one also reaches the producer in `tcpdump -w - | homeport audit capture -`, which then
// ends the stream itself), and what was read is still reported.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "audit/capture/frame_source.h"
#include "audit/provenance.h"
#include "homeport/status.h"

namespace homeport::cli {

struct CaptureInputArgs {
  std::string file;       // a path, or "-" for standard input
  std::string interface;  // capture live here instead
  std::string duration;   // seconds, as given; empty: until Ctrl-C
  std::string filter;     // a libpcap capture filter
  std::string write;      // save the live capture here
};

// Registers FILE and the live-capture options on `cmd`.
void AddCaptureInputOptions(CLI::App* cmd, CaptureInputArgs& args);

struct CaptureInput {
  std::unique_ptr<audit::capture::FrameSource> source;
  audit::InputKind kind = audit::InputKind::kFile;
  std::string name;  // the path, "-", or the interface
};

// Checks the combination of options, installs the signal handlers a stream or a live capture
// needs, and opens the source. Errors are messages for a person (exit 2).
Result<CaptureInput> OpenCaptureInput(const CaptureInputArgs& args);

// Fills the input's part of `provenance` once every frame has been read: kind and name, the
// digest, the first and last frames' times, and for a live capture the dropped frames. Warns
// on stderr when the input ended early or frames were dropped.
void DescribeCaptureInput(CaptureInput& input, audit::Provenance& provenance);

}  // namespace homeport::cli
