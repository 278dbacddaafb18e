// Typed reading of yaml-cpp nodes for the schema loader, collecting every problem as
// "file:line: what is wrong" instead of stopping at the first. yaml-cpp keeps every scalar as
// text; these readers apply YAML's core-schema rules (a quoted "true" is a string, not a bool)
// so a file means here what it means to glean_parser.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "homeport/status.h"

namespace homeport::schema {

class YamlErrors {
 public:
  explicit YamlErrors(std::string file) : file_(std::move(file)) {}

  // Records "file:line: what", the line being that of `at` (1-based).
  void Add(const YAML::Node& at, std::string_view what);
  void AddAtLine(int line, std::string_view what);

  const std::string& file() const { return file_; }
  bool empty() const { return lines_.empty(); }
  // One line per problem; InvalidArgument. Ok when there are none.
  Status ToStatus() const;
  // 1-based line of `n`, 0 when yaml-cpp has none.
  static int LineOf(const YAML::Node& n);

 private:
  std::string file_;
  std::vector<std::string> lines_;
};

// Each reader returns nullopt after recording an error naming `what` when `n` is not of the
// kind asked for.
std::optional<std::string> ReadString(const YAML::Node& n, std::string_view what, YamlErrors& e);
// A description: a string that is not blank (glean_parser refuses empty ones).
std::optional<std::string> ReadDescription(const YAML::Node& n, const std::string& who, YamlErrors& e);
std::optional<bool> ReadBool(const YAML::Node& n, std::string_view what, YamlErrors& e);
std::optional<int64_t> ReadInt(const YAML::Node& n, std::string_view what, YamlErrors& e);
std::optional<double> ReadNumber(const YAML::Node& n, std::string_view what, YamlErrors& e);
// A sequence of strings; `min_items` enforces a lower bound.
std::optional<std::vector<std::string>> ReadStringList(const YAML::Node& n, std::string_view what,
                                                       YamlErrors& e, size_t min_items = 0);

// A plain (unquoted) scalar that YAML reads as an integer.
bool IsPlainInt(const YAML::Node& n);
// Records a "duplicate key" error for each key of the mapping `n` that appears twice.
// (yaml-cpp keeps both; glean_parser refuses such files.)
void CheckDuplicateKeys(const YAML::Node& n, std::string_view where, YamlErrors& e);

// Whole-string match of `s` against ^[a-z_][a-z0-9_]*$ (Glean's snake_case).
bool IsSnakeCase(std::string_view s);
// ^[a-z][a-z0-9-]{0,29}$ (Glean's ping names).
bool IsKebabCase(std::string_view s);
// Printable ASCII only: ^[ -~]+$ (labels and event extra keys).
bool IsPrintableAscii(std::string_view s);

}  // namespace homeport::schema
