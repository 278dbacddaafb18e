// Top-level command line: one binary, subcommands like git.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "command.h"
#include "common/terminal_text.h"

namespace homeport::cli {
namespace {

std::string NumberText(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

std::string Refusal(const std::string& what, const std::string& range, const std::string& got) {
  return "must be " + what + " from " + range + ", not \"" + TerminalSafe(got) + "\"";
}

}  // namespace

int Fail(const Status& status) { return Fail(status.message()); }

int Fail(const std::string& message) {
  Warn(message);
  return 1;
}

void Warn(const std::string& message) {
  std::fprintf(stderr, "homeport: %s\n", TerminalSafe(message).c_str());
}

CLI::Validator NumberIn(double min, double max, const std::string& what) {
  const std::string range = NumberText(min) + " to " + NumberText(max);
  return CLI::Validator(
      [min, max, what, range](std::string& input) -> std::string {
        const char* begin = input.c_str();
        char* end = nullptr;
        errno = 0;
        const double v = std::strtod(begin, &end);
        const bool parsed = !input.empty() && end == begin + input.size() && errno == 0 &&
                            std::isfinite(v) && input.find_first_of("xXpP") == std::string::npos;
        if (!parsed || v < min || v > max) return Refusal(what, range, input);
        return {};
      },
      what + " from " + range);
}

CLI::Validator WholeNumberIn(long long min, long long max, const std::string& what) {
  const std::string range = std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [min, max, what, range](std::string& input) -> std::string {
        const size_t digits = input.rfind('-', 0) == 0 ? 1 : 0;
        bool parsed = input.size() > digits && input.size() - digits <= 18 &&
                      input.find_first_not_of("0123456789", digits) == std::string::npos &&
                      (input[digits] != '0' || input.size() == digits + 1);
        const long long v = parsed ? std::strtoll(input.c_str(), nullptr, 10) : 0;
        if (!parsed || v < min || v > max) return Refusal(what, range, input);
        return {};
      },
      what + " from " + range);
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
  } catch (const CLI::ValidationError& e) {
    // A value out of range or of the wrong kind fails like every other error a person can act
    // on: "homeport: --deadline: must be ...", exit 1.
    return Fail(e.what());
  } catch (const CLI::ConversionError& e) {
    return Fail(e.what());
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return commands.run ? commands.run() : 2;
}

}  // namespace homeport::cli
