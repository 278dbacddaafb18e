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

// Prints "homeport: <status message>" to stderr and returns 1.
int Fail(const Status& status);
int Fail(const std::string& message);

void AddKeysCommands(CLI::App& app, Commands& commands);
void AddManifestCommands(CLI::App& app, Commands& commands);
void AddFactoryCommands(CLI::App& app, Commands& commands);
void AddEnrollCommand(CLI::App& app, Commands& commands);
void AddServeCommand(CLI::App& app, Commands& commands);
void AddAgentCommands(CLI::App& app, Commands& commands);
void AddOperatorCommands(CLI::App& app, Commands& commands);
void AddUxpCommands(CLI::App& app, Commands& commands);
void AddFleetCommands(CLI::App& app, Commands& commands);
void AddAuditBuildCommand(CLI::App& app, Commands& commands);
void AddAuditCaptureCommand(CLI::App& app, Commands& commands);

// The audit log's name for whoever runs the CLI: "cli:<user>".
std::string CliActor();

int Main(int argc, char** argv);

}  // namespace homeport::cli
