// JSON read from a file a person wrote (a policy, a profile, a key, a config): a syntax error
// says where it is, as line and column, so it can be fixed without guessing.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "homeport/status.h"

namespace homeport {

// InvalidArgument "WHAT is not valid JSON: at line L, column C: …" on a syntax error.
Result<nlohmann::json> ParseJsonText(std::string_view text, std::string_view what);

}  // namespace homeport
