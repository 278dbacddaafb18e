// Device-side commands: `homeport agent activate`, the CLI over libhomeport.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "command.h"
#include "homeport/agent.h"

namespace homeport::cli {

void AddAgentCommands(CLI::App& app, Commands& commands) {
  auto* agent = app.add_subcommand("agent", "the device client (libhomeport) from the command line");
  agent->require_subcommand(1);

  struct ActivateArgs {
    AgentOptions options;
    double deadline_seconds = 60;
    bool json = false;
  };
  auto a = std::make_shared<ActivateArgs>();
  auto* activate = agent->add_subcommand(
      "activate", "activate the device's warranty once; print the warranty start (YYYY-MM-DD)");
  activate->add_option("--profile", a->options.profile_path, "device profile from the factory")
      ->required();
  activate->add_option("--manifest", a->options.manifest_path, "signed region manifest")->required();
  activate->add_option("--state", a->options.state_dir, "the device's state directory")->required();
  activate->add_option("--deadline", a->deadline_seconds, "seconds to keep retrying")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  activate->add_option("--ca", a->options.ca_file, "PEM bundle of trusted CAs");
  activate->add_flag("--json", a->json, "print the whole activation state as JSON");
  activate->callback([&commands, a] {
    commands.run = [a] {
      a->options.deadline = std::chrono::milliseconds(static_cast<int64_t>(a->deadline_seconds * 1000));
      auto agent = Agent::Open(a->options);
      if (!agent.ok()) return Fail(agent.status());
      auto state = (*agent)->Activate();
      if (!state.ok()) return Fail(state.status());
      if (a->json) {
        nlohmann::json j = {{"serial", state->serial},
                            {"warranty_start", state->warranty_start},
                            {"client_version", state->client_version},
                            {"manifest_version", state->manifest_version},
                            {"activated_at", state->activated_at},
                            {"outcome", ToString(state->outcome)}};
        std::printf("%s\n", j.dump(2).c_str());
      } else {
        std::printf("%s\n", state->warranty_start.c_str());
      }
      return 0;
    };
  });
}

}  // namespace homeport::cli
