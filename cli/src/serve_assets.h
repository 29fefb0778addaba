#pragma once
// The files of `comet serve`'s page, embedded in the binary at build time
// (cmake/embed_files.cmake): cli/web/* and dygraphs from the Debian package libjs-dygraphs.
// They are the only files the server sends; no request reaches the file system.

#include <cstddef>
#include <string_view>

namespace comet::cli {

struct EmbeddedFile {
  std::string_view name;  // "index.html", "app.js", "dygraph.min.js", ...
  std::string_view bytes;
};
extern const EmbeddedFile kEmbeddedFiles[];  // in the generated serve_files.cpp
extern const std::size_t kEmbeddedFileCount;

struct Asset {
  std::string_view bytes;
  std::string_view content_type;  // from the name's extension
};
// The embedded file of exactly this name; nullptr for any other name (a path, "..", "").
const Asset* find_asset(std::string_view name);

}  // namespace comet::cli
