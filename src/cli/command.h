// How subcommands plug into the `homeport` binary: each Add*Commands registers its CLI11
// subcommands and sets `run` when one of them is chosen. A command returns its exit code;
// errors are printed by Fail() as "homeport: <what is wrong>".
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "homeport/status.h"

namespace homeport::cli {

struct Commands {
  std::function<int()> run;
};

// Prints "homeport: <status message>" to stderr and returns 1. The message is passed through
// TerminalSafe: it often quotes a server, a file or a store.
int Fail(const Status& status);
int Fail(const std::string& message);
// Prints "homeport: <message>" to stderr, through TerminalSafe, and goes on.
void Warn(const std::string& message);

// Checks for numeric options, run on the text before CLI11 converts it, so that an out-of-range
// value is refused by name ("--deadline: must be a number of seconds from 0.001 to 604800, not
// 1e17") instead of overflowing. `what` describes the value ("a number of seconds").
// NumberIn: a finite decimal number (no NaN, no infinity) from `min` to `max`.
CLI::Validator NumberIn(double min, double max, const std::string& what = "a number");
// WholeNumberIn: decimal digits with an optional '-' (no octal, hex or exponent forms, which
// CLI11 would read differently), from `min` to `max`.
CLI::Validator WholeNumberIn(long long min, long long max,
                             const std::string& what = "a whole number");

void AddKeysCommands(CLI::App& app, Commands& commands);
void AddManifestCommands(CLI::App& app, Commands& commands);
void AddFactoryCommands(CLI::App& app, Commands& commands);
void AddEnrollCommand(CLI::App& app, Commands& commands);
void AddServeCommand(CLI::App& app, Commands& commands);
void AddAgentCommands(CLI::App& app, Commands& commands);
void AddOperatorCommands(CLI::App& app, Commands& commands);
void AddLifecycleCommands(CLI::App& app, Commands& commands);
void AddLogCommands(CLI::App& app, Commands& commands);
void AddUxpCommands(CLI::App& app, Commands& commands);
void AddFleetCommands(CLI::App& app, Commands& commands);
void AddAuditBuildCommand(CLI::App& app, Commands& commands);
void AddAuditCaptureCommand(CLI::App& app, Commands& commands);
void AddGeoCommands(CLI::App& app, Commands& commands);

// The access log's name for whoever runs the CLI: "cli:<user>".
std::string CliActor();

int Main(int argc, char** argv);

}  // namespace homeport::cli
