// The `homeport audit` command group, shared by its subcommands (build, capture).
#pragma once

#include <CLI/CLI.hpp>

namespace homeport::cli {

// The "audit" subcommand of `app`, created on first use.
CLI::App* AuditGroup(CLI::App& app);

}  // namespace homeport::cli
