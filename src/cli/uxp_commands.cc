// UX-program operator commands: `uxp export` (an access request, audited), `retention run`,
// and `catalogue` (every declared field, as the server publishes it at GET /privacy).
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "command.h"
#include "common/terminal_text.h"
#include "common/text.h"
#include "schema/catalogue.h"
#include "schema/metric_values.h"
#include "server/retention.h"
#include "server/router.h"
#include "store/store.h"

namespace homeport::cli {

void AddUxpCommands(CLI::App& app, Commands& commands) {
  struct ExportArgs {
    std::string client_id, store;
  };
  auto e = std::make_shared<ExportArgs>();
  auto* uxp = app.add_subcommand("uxp", "UX-program data held by a region's store");
  uxp->require_subcommand(1);
  auto* exp = uxp->add_subcommand("export", "print every stored document of a client (audited)");
  exp->add_option("CLIENT_ID", e->client_id, "the Glean client_id")->required();
  exp->add_option("--store", e->store, "store URL")->required();
  exp->callback([&commands, e] {
    commands.run = [e] {
      if (!IsUuid(e->client_id)) {
        return Fail("\"" + TerminalSafe(e->client_id) +
                    "\" is not a Glean client_id (a UUID, such as "
                    "0f8fad5b-d9cb-469f-a165-70867728950e); nothing was read");
      }
      auto store = Store::OpenExisting(e->store);
      if (!store.ok()) return Fail(store.status());
      auto docs = (*store)->ExportClient(e->client_id, CliActor(), Env::Default()->Now());
      if (!docs.ok()) return Fail(docs.status());
      // Documents hold what clients sent (feedback text): JSON escapes, nothing for a terminal.
      std::printf("%s\n", TerminalSafeJson(UxpExportJson(e->client_id, *docs)).c_str());
      return 0;
    };
  });

  struct SchemaArgs {
    std::string store;
    std::vector<std::string> schema_dirs;
    bool json = false;
  };
  auto r = std::make_shared<SchemaArgs>();
  auto* retention = app.add_subcommand("retention", "enforce retention limits");
  retention->require_subcommand(1);
  auto* run = retention->add_subcommand("run", "remove documents and metric values past retention");
  run->add_option("--store", r->store, "store URL")->required();
  run->add_option("--schemas", r->schema_dirs, "the same --schemas the server runs with");
  run->callback([&commands, r] {
    commands.run = [r] {
      auto schemas = schema::SchemaRegistry::Load(r->schema_dirs);
      if (!schemas.ok()) return Fail(schemas.status());
      auto store = Store::OpenExisting(r->store);
      if (!store.ok()) return Fail(store.status());
      auto missing = PingsWithoutSchema(**store, *schemas);
      if (!missing.ok()) return Fail(missing.status());
      if (!missing->empty()) {
        std::string names;
        for (const auto& m : *missing) names += (names.empty() ? "" : ", ") + TerminalSafe(m);
        return Fail("the store holds documents of " + names +
                    ", whose schema is not loaded, so their metrics' retention cannot be "
                    "applied: pass the --schemas directories the server runs with; nothing was "
                    "removed");
      }
      auto report = RunRetention(**store, *schemas, Env::Default()->Now());
      if (!report.ok()) return Fail(report.status());
      std::printf("removed %lld documents past retention; removed expired metric values from %lld "
                  "documents\n",
                  static_cast<long long>(report->documents_removed),
                  static_cast<long long>(report->metric_values_removed));
      return 0;
    };
  });

  auto c = std::make_shared<SchemaArgs>();
  auto* catalogue = app.add_subcommand("catalogue", "every field the UX program may collect");
  catalogue->add_option("--schemas", c->schema_dirs, "more apps, as for serve --schemas");
  catalogue->add_flag("--json", c->json, "JSON for machines (default: HTML for people)");
  auto contact = std::make_shared<std::string>();
  catalogue->add_option("--controller-contact", *contact,
                        "who answers for the data, as serve --controller-contact");
  catalogue->callback([&commands, c, contact] {
    commands.run = [c, contact] {
      auto schemas = schema::SchemaRegistry::Load(c->schema_dirs);
      if (!schemas.ok()) return Fail(schemas.status());
      const schema::CatalogueOptions options{*contact};
      std::string out = c->json ? schema::CatalogueJson(*schemas, options).dump(2) + "\n"
                                : schema::CatalogueHtml(*schemas, options);
      std::fwrite(out.data(), 1, out.size(), stdout);
      return 0;
    };
  });
}

}  // namespace homeport::cli
