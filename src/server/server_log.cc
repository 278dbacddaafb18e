// spdlog with a formatter per format: text keeps spdlog's pattern; json and logfmt write the
// time (UTC, RFC 3339 with milliseconds), the level and the message as fields.
#include "server/server_log.h"

#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "common/time_format.h"

namespace homeport {
namespace {

enum class LineFormat { kJson, kLogfmt };

// logfmt's value: bare when it needs no quoting, else quoted with \" and \\ escaped.
std::string LogfmtValue(std::string_view v) {
  bool bare = !v.empty();
  for (unsigned char c : v) bare = bare && c > ' ' && c != '"' && c != '=' && c != '\\' && c < 0x7f;
  if (bare) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + '"';
}

class FieldsFormatter final : public spdlog::formatter {
 public:
  explicit FieldsFormatter(LineFormat format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string time = FormatRfc3339(msg.time);
    const spdlog::string_view_t level = spdlog::level::to_string_view(msg.level);
    const std::string_view text(msg.payload.data(), msg.payload.size());
    std::string line;
    if (format_ == LineFormat::kJson) {
      nlohmann::json j = {{"time", time},
                          {"level", std::string_view(level.data(), level.size())},
                          {"msg", text}};
      line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } else {
      line = "time=" + time + " level=" + std::string(level.data(), level.size()) +
             " msg=" + LogfmtValue(text);
    }
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<FieldsFormatter>(format_);
  }

 private:
  LineFormat format_;
};

}  // namespace

Status ConfigureServerLog(const std::string& format, const std::string& level) {
  spdlog::level::level_enum threshold;
  if (level == "debug") {
    threshold = spdlog::level::debug;
  } else if (level == "info") {
    threshold = spdlog::level::info;
  } else if (level == "warn") {
    threshold = spdlog::level::warn;
  } else if (level == "error") {
    threshold = spdlog::level::err;
  } else {
    return Status::InvalidArgument("--log-level must be debug, info, warn or error, not \"" +
                                   level + "\"");
  }
  if (format != "text" && format != "json" && format != "logfmt") {
    return Status::InvalidArgument("--log-format must be text, json or logfmt, not \"" + format +
                                   "\"");
  }
  auto logger = spdlog::get("homeport");
  if (!logger) logger = spdlog::stderr_color_mt("homeport");
  if (format == "json") logger->set_formatter(std::make_unique<FieldsFormatter>(LineFormat::kJson));
  if (format == "logfmt") {
    logger->set_formatter(std::make_unique<FieldsFormatter>(LineFormat::kLogfmt));
  }
  logger->set_level(threshold);
  spdlog::set_default_logger(logger);
  return Status::Ok();
}

}  // namespace homeport
