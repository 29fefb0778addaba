#include "serve_assets.h"

#include <map>
#include <string>

namespace comet::cli {
namespace {

std::string_view content_type_of(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

// Built on first use from the generated table: name -> bytes and type. Lookups compare whole
// names, so nothing but the listed names can ever be served.
const std::map<std::string, Asset, std::less<>>& assets() {
  static const auto table = [] {
    std::map<std::string, Asset, std::less<>> by_name;
    for (std::size_t i = 0; i < kEmbeddedFileCount; ++i) {
      const auto& file = kEmbeddedFiles[i];
      by_name.emplace(std::string(file.name), Asset{file.bytes, content_type_of(file.name)});
    }
    return by_name;
  }();
  return table;
}

}  // namespace

const Asset* find_asset(std::string_view name) {
  const auto found = assets().find(name);
  return found == assets().end() ? nullptr : &found->second;
}

}  // namespace comet::cli
