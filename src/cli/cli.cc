// Top-level command line: one binary, subcommands like git.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "build_info.h"
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

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The command a failed parse had reached: the deepest subcommand given.
CLI::App* ReachedCommand(CLI::App& app) {
  CLI::App* at = &app;
  for (;;) {
    auto given = at->get_subcommands();
    if (given.empty()) return at;
    at = given.front();
  }
}

// "unknown flag --stor for `homeport rollout`; did you mean --store?" for each flag the command
// does not have, the nearest of its own named when one is close.
std::string UnknownFlags(CLI::App& app, int argc, char** argv) {
  CLI::App* command = ReachedCommand(app);
  std::vector<std::string> known;
  for (const CLI::Option* o : command->get_options()) {
    for (const std::string& name : o->get_lnames()) known.push_back("--" + name);
  }
  std::string out;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (!arg.starts_with("--")) continue;
    std::string flag(arg.substr(0, arg.find('=')));
    if (std::find(known.begin(), known.end(), flag) != known.end()) continue;
    std::string nearest;
    size_t best = std::max<size_t>(2, flag.size() / 3) + 1;
    for (const auto& k : known) {
      if (size_t d = EditDistance(flag, k); d < best) best = d, nearest = k;
    }
    if (!out.empty()) out += "\n";
    std::string path;
    for (const CLI::App* c = command; c != nullptr && c->get_parent() != nullptr;
         c = c->get_parent()) {
      path = " " + c->get_name() + path;
    }
    out += "unknown flag " + TerminalSafe(flag) + " for `homeport" + path + "`" + (nearest.empty() ? "; --help lists them" : "; did you mean " + nearest + "?");
  }
  return out;
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
  app.set_version_flag("--version",
                       "homeport " HOMEPORT_VERSION_STRING " (commit " HOMEPORT_COMMIT ")");
  Commands commands;
  AddKeysCommands(app, commands);
  AddManifestCommands(app, commands);
  AddFactoryCommands(app, commands);
  AddEnrollCommand(app, commands);
  AddServeCommand(app, commands);
  AddAgentCommands(app, commands);
  AddOperatorCommands(app, commands);
  AddLifecycleCommands(app, commands);
  AddLogCommands(app, commands);
  AddUxpCommands(app, commands);
  AddFleetCommands(app, commands);
  AddAuditBuildCommand(app, commands);
  AddAuditCaptureCommand(app, commands);
  AddGeoCommands(app, commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ValidationError& e) {
    // A value out of range or of the wrong kind fails like every other error a person can act
    // on: "homeport: --deadline: must be ...", exit 1.
    return Fail(e.what());
  } catch (const CLI::ConversionError& e) {
    return Fail(e.what());
  } catch (const CLI::ParseError& e) {
    // A mistyped flag is the likely cause of whatever else failed ("--store is required" after
    // "--stor"): name it first.
    if (e.get_exit_code() != 0) {
      if (std::string unknown = UnknownFlags(app, argc, argv); !unknown.empty()) {
        return Fail(unknown);
      }
    }
    return app.exit(e);
  }
  return commands.run ? commands.run() : 2;
}

}  // namespace homeport::cli
