// The data catalogue (GET /privacy, `homeport catalogue`): every field the registered schemas
// let a device send — name, type, description, sensitivity, retention, pings — generated from
// the SchemaRegistry, so what is published is exactly what the server accepts.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "schema/schema_registry.h"

namespace homeport::schema {

// Who answers for the data: the controller's contact (serve --controller-contact), shown at
// the top of the catalogue; empty: the catalogue says none was configured.
struct CatalogueOptions {
  std::string controller_contact;
};

// For machines: {"controller": {"contact"}, "warranty": {"purpose", "legal_basis",
// "retention", "fields": [...]}, "ux_program": {"purpose", "legal_basis"},
// "default_retention_days": 90, "apps": [{"app_id", "pings": [...], "metrics": [...]}],
// "envelope": [...], "sdk_metrics": "..."}. Apps, pings and metrics are sorted by name; see
// docs/schemas.md for every key.
nlohmann::json CatalogueJson(const SchemaRegistry& registry, const CatalogueOptions& options = {});

// For people: one self-contained HTML page (inline style, no scripts, no external assets):
// the controller, the warranty activation data, then a table of pings and a table of metrics
// per application. All schema text is escaped.
std::string CatalogueHtml(const SchemaRegistry& registry, const CatalogueOptions& options = {});

}  // namespace homeport::schema
