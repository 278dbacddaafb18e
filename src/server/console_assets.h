// The operator console's static files: web/ (the page, its script and style) and the uPlot chart
// library, embedded into the binary at build time by cmake/embed_assets.cmake. The console needs
// no files beside the binary and loads nothing from another origin.
#pragma once

#include <span>
#include <string_view>

namespace homeport {

struct ConsoleAsset {
  std::string_view path;          // the file's name, served at /console/<path>: "console.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view bytes;         // the file as it was at build time
};

// Every embedded file, in a fixed order. Static storage: the views stay valid forever.
std::span<const ConsoleAsset> ConsoleAssets();

// The file named exactly `path` (no directories: "uPlot.min.css"), or null.
const ConsoleAsset* FindConsoleAsset(std::string_view path);

}  // namespace homeport
