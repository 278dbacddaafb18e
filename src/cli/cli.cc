// Top-level command line: one binary, subcommands like git.
#include <cstdio>

#include "command.h"

namespace homeport::cli {

int Fail(const Status& status) { return Fail(status.message()); }

int Fail(const std::string& message) {
  std::fprintf(stderr, "homeport: %s\n", message.c_str());
  return 1;
}

int Main(int argc, char** argv) {
  CLI::App app{"homeport: region-locked device activation and opt-in UX telemetry"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "homeport 0.1.0");
  Commands commands;
  AddKeysCommands(app, commands);
  AddManifestCommands(app, commands);
  AddFactoryCommands(app, commands);
  AddEnrollCommand(app, commands);
  AddServeCommand(app, commands);
  AddAgentCommands(app, commands);
  AddOperatorCommands(app, commands);
  AddUxpCommands(app, commands);
  AddFleetCommands(app, commands);
  AddAuditBuildCommand(app, commands);
  AddAuditCaptureCommand(app, commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return commands.run ? commands.run() : 2;
}

}  // namespace homeport::cli
