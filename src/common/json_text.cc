#include "common/json_text.h"

#include <string>

namespace homeport {

Result<nlohmann::json> ParseJsonText(std::string_view text, std::string_view what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 3, column 14: syntax error …", or a
    // number too large for a double ("[json.exception.out_of_range.406] number overflow …").
    std::string message = e.what();
    if (size_t at = message.find("at line "); at != std::string::npos) {
      message.erase(0, at);
    } else if (size_t end = message.find("] "); end != std::string::npos) {
      message.erase(0, end + 2);
    }
    return Status::InvalidArgument(std::string(what) + " is not valid JSON: " + message);
  }
}

}  // namespace homeport
