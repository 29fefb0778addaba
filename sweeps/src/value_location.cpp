// SweepSpec keeps the YAML text rather than a mark per value; errors after parsing are rare,
// so the text is read again to find the mark only when one is needed.

#include "value_location.h"

#include <optional>
#include <vector>

#include "yaml_nodes.h"

#include "comet/sweeps/param_schema.h"

namespace comet::sweeps {
namespace {

bool holds_value(const ParamDef& def, const YAML::Node& node, const ParamValue& value) {
  if (!node.IsScalar()) return false;
  ParamValue written = node.Scalar();
  return !def.check(written) && written == value;
}

std::optional<SourceMark> find_in_grid(const ParamDef& def, const YAML::Node& grid,
                                       const ParamValue& value, std::string_view file) {
  for (const MapEntry& axis : map_entries(grid, file)) {
    if (axis.key != def.name || !axis.value.IsSequence()) continue;
    for (YAML::Node item : axis.value) {
      if (holds_value(def, item, value)) return source_mark(item, file);
    }
  }
  return std::nullopt;
}

std::optional<SourceMark> find_in_text(const SweepSpec& spec, const ParamDef& def,
                                       const ParamValue& value) {
  std::string_view file = spec.source_path;
  YAML::Node root = load_single_document(spec.source_text, file);
  if (!root.IsMap()) return std::nullopt;
  for (const MapEntry& entry : map_entries(root, file)) {
    if (entry.key == def.name && holds_value(def, entry.value, value)) return entry.value_mark;
    std::vector<YAML::Node> grids;
    if (entry.key == "grid" && entry.value.IsMap()) grids.push_back(entry.value);
    if (entry.key == "grids" && entry.value.IsSequence()) {
      for (YAML::Node grid : entry.value) {
        if (grid.IsMap()) grids.push_back(grid);
      }
    }
    for (const YAML::Node& grid : grids) {
      if (auto mark = find_in_grid(def, grid, value, file)) return mark;
    }
  }
  return std::nullopt;
}

}  // namespace

SourceMark locate_value(const SweepSpec& spec, std::string_view key, const ParamValue& value) {
  // A value from the command line: the override names it.
  if (auto overridden = spec.overridden.find(key); overridden != spec.overridden.end()) {
    return overridden->second;
  }
  const ParamDef* def = find_param(key);
  if (def != nullptr && !spec.source_text.empty()) {
    try {
      if (auto mark = find_in_text(spec, *def, value)) return *mark;
    } catch (const SweepError&) {
      // The text no longer parses (edited after parsing): fall back to what the spec knows.
    }
  }
  for (const Grid& grid : spec.grids) {
    for (const GridAxis& axis : grid.axes) {
      if (axis.key == key) return axis.mark;
    }
  }
  return SourceMark{.file = spec.source_path};
}

}  // namespace comet::sweeps
