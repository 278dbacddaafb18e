// The form in which an accepted Glean ping reaches the store (rules S3, S4): every string value
// and member name passes the identifier scrubber unless the validator proved it of a closed
// form, and the envelope's times are cut to the day. Built from the validated document in one
// pass, so no string of the payload can reach disk without either proof or scrubbing.
#pragma once

#include <simdjson.h>

#include <map>
#include <string>

#include "privacy/identifier_scanner.h"
#include "schema/ping_validator.h"

namespace homeport {

struct StoredPing {
  std::string json;                                 // the document to store, compact JSON
  std::map<privacy::IdentifierKind, int> replaced;  // identifiers the scrubber replaced
};

// `payload` as it is to be stored, given the validator's `form` for it (see
// schema::StoredForm). Member names that scrub to a name already in their object get a "#2",
// "#3"... suffix, so no value is lost. Numbers keep their value (a fraction keeps a ".0").
// Thread-safe; `payload` must be a document that passed ValidatePing.
StoredPing MakeStoredPing(simdjson::dom::element payload, const schema::StoredForm& form,
                          const privacy::IdentifierScanner& scanner);

}  // namespace homeport
