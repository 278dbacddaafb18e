// `homeport audit`: the verifier's commands hang off one group.
#include "audit_group.h"

namespace homeport::cli {

CLI::App* AuditGroup(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == "audit") return sub;
  }
  CLI::App* audit = app.add_subcommand(
      "audit", "verify a firmware tree or a device's packet capture against a region's policy");
  audit->require_subcommand(1);
  return audit;
}

}  // namespace homeport::cli
