#pragma once
// Reading yaml-cpp nodes with source positions: marks, kind names, map entries.

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "comet/sweeps/sweep_error.h"

namespace comet::sweeps {

// yaml-cpp marks are 0-based and -1 when unknown; SourceMark is 1-based and 0 when unknown.
SourceMark source_mark(const YAML::Mark& mark, std::string_view file);
SourceMark source_mark(const YAML::Node& node, std::string_view file);

// "a map", "a list", "a single value" or "nothing", for "expected X, found Y" messages.
std::string node_kind(const YAML::Node& node);

struct MapEntry {
  std::string key;
  SourceMark key_mark;
  YAML::Node value;
  // Where the value is, or the key when the value is empty: yaml-cpp marks an empty value at
  // the next token, which is usually on another line.
  SourceMark value_mark;
};

// The entries of a map in file order. Throws SweepError for a key that is not a single value
// and for a key given twice (yaml-cpp would keep both without a word).
std::vector<MapEntry> map_entries(const YAML::Node& map, std::string_view file);

// The one document of a YAML text; a null node when the text holds no document. Throws
// SweepError for YAML syntax errors and for a second document.
YAML::Node load_single_document(std::string_view yaml, std::string_view file);

}  // namespace comet::sweeps
