// homeport_bench capture-gen: a synthetic device capture for the verifier's benchmark.
#pragma once

#include <CLI/CLI.hpp>

namespace homeport::bench {

// Registers the `capture-gen` subcommand; its exit code goes to `rc`.
void AddCaptureGenCommand(CLI::App& app, int& rc);

}  // namespace homeport::bench
