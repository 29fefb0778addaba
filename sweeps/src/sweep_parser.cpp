// parse_sweep_file / parse_sweep_text: YAML -> validated SweepSpec.

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include "axis_order.h"
#include "edit_distance.h"
#include "param_scope.h"
#include "yaml_nodes.h"

#include "comet/sweeps/param_schema.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

constexpr std::string_view kNameKey = "name";
constexpr std::string_view kGridKey = "grid";
constexpr std::string_view kGridsKey = "grids";

std::string known_keys_text(bool include_sweep_keys) {
  std::string text = include_sweep_keys ? "name, grid, grids" : "";
  for (const ParamDef& def : param_schema()) text += (text.empty() ? "" : ", ") + def.name;
  return text;
}

// The schema entry of a key, or a SweepError with a "did you mean" hint.
const ParamDef& known_param(const MapEntry& entry, bool in_grid) {
  if (const ParamDef* def = find_param(entry.key)) return *def;
  std::vector<std::string_view> candidates;
  if (!in_grid) candidates = {kNameKey, kGridKey, kGridsKey};
  for (const ParamDef& def : param_schema()) candidates.push_back(def.name);
  std::string hint = closest_name(entry.key, candidates);
  std::string where = in_grid ? "unknown grid key '" : "unknown key '";
  if (!hint.empty()) {
    throw SweepError(entry.key_mark, where + entry.key + "'; did you mean '" + hint + "'?");
  }
  throw SweepError(entry.key_mark,
                   where + entry.key + "'; known keys: " + known_keys_text(!in_grid));
}

// A scalar node checked against its key's definition.
ParamValue checked_value(const ParamDef& def, const YAML::Node& node, const SourceMark& mark) {
  ParamValue value = node.Scalar();
  if (auto problem = def.check(value)) throw SweepError(mark, *problem);
  return value;
}

ParamValue parse_fixed_value(const ParamDef& def, const MapEntry& entry) {
  if (entry.value.IsNull()) {
    throw SweepError(entry.value_mark,
                     entry.key + " has no value; allowed: " + def.describe_allowed());
  }
  if (!entry.value.IsScalar()) {
    std::string hint =
        entry.value.IsSequence() ? "; to sweep over several values, move it under grid:" : "";
    throw SweepError(entry.value_mark, entry.key + ": expected one value (" +
                                           def.describe_allowed() + "), found " +
                                           node_kind(entry.value) + hint);
  }
  return checked_value(def, entry.value, entry.value_mark);
}

GridAxis parse_axis(std::string_view file, const ParamDef& def, const MapEntry& entry) {
  if (!entry.value.IsSequence()) {
    throw SweepError(entry.value_mark, "grid values must be lists; " + entry.key + " is " +
                                           node_kind(entry.value) + " (write " + entry.key +
                                           ": [a, b] or, for one value, " + entry.key + ": [a])");
  }
  if (entry.value.size() == 0) {
    throw SweepError(entry.value_mark,
                     "grid axis '" + entry.key + "' is an empty list; give at least one value");
  }
  GridAxis axis{.key = entry.key, .values = {}, .mark = entry.key_mark};
  std::vector<SourceMark> value_marks;
  for (YAML::Node item : entry.value) {
    // yaml-cpp places an empty item at the next token; the list itself is a safer place.
    SourceMark mark = item.IsNull() ? entry.value_mark : source_mark(item, file);
    if (!item.IsScalar()) {
      throw SweepError(mark, "grid axis '" + entry.key + "': each item must be one value (" +
                                 def.describe_allowed() + "), found " + node_kind(item));
    }
    ParamValue value = checked_value(def, item, mark);
    auto duplicate = std::find(axis.values.begin(), axis.values.end(), value);
    if (duplicate != axis.values.end()) {
      const SourceMark& first = value_marks[duplicate - axis.values.begin()];
      throw SweepError(mark, "grid axis '" + entry.key + "' lists " + to_display(value) +
                                 " twice (first at line " + std::to_string(first.line) +
                                 ", column " + std::to_string(first.column) +
                                 "); give each value once");
    }
    axis.values.push_back(std::move(value));
    value_marks.push_back(mark);
  }
  return axis;
}

// One grid's map: `node` is the value of grid: or an item of grids:, `label` names it.
Grid parse_grid(std::string_view file, const YAML::Node& node, const SourceMark& mark,
                const std::string& label) {
  if (!node.IsMap()) {
    std::string hint = label == kGridKey && node.IsSequence()
                           ? "; for several grids write grids: with a list of such maps"
                           : "";
    throw SweepError(mark,
                     label + " must be a map of key: [values], found " + node_kind(node) + hint);
  }
  Grid grid{.axes = {}, .mark = mark};
  for (const MapEntry& entry : map_entries(node, file)) {
    if (entry.key == kNameKey) {
      throw SweepError(entry.key_mark, "name cannot be a grid axis: a sweep has one name");
    }
    if (entry.key == kGridKey || entry.key == kGridsKey) {
      throw SweepError(entry.key_mark, entry.key + " cannot be inside " + label +
                                           "; grids do not nest (list every grid under grids:)");
    }
    grid.axes.push_back(parse_axis(file, known_param(entry, /*in_grid=*/true), entry));
  }
  // An empty item of grids: is almost surely a slip (a stray "- {}"); grid: {} stays allowed
  // (it always was: one trial of the top-level keys).
  if (grid.axes.empty() && label != kGridKey) {
    throw SweepError(mark, label + " is an empty map; give at least one key: [values]");
  }
  order_axes_for_expansion(grid.axes);
  return grid;
}

// "grids: item 2", 1-based as a person counts the items of a list.
std::string grids_item_label(std::size_t index) {
  return std::string(kGridsKey) + ": item " + std::to_string(index + 1);
}

std::vector<Grid> parse_grids(std::string_view file, const MapEntry& grids) {
  if (!grids.value.IsSequence()) {
    std::string hint = grids.value.IsMap() ? "; for one grid write grid: instead" : "";
    throw SweepError(grids.value_mark,
                     "grids must be a list of maps of key: [values] (each item "
                     "written \"- key: [values]\"), found " +
                         node_kind(grids.value) + hint);
  }
  if (grids.value.size() == 0) {
    throw SweepError(grids.value_mark, "grids is an empty list; give at least one grid map");
  }
  std::vector<Grid> result;
  std::size_t index = 0;
  for (YAML::Node item : grids.value) {
    // yaml-cpp places an empty item ("-" alone) at the next token; the list is a safer place.
    SourceMark mark = item.IsNull() ? grids.value_mark : source_mark(item, file);
    result.push_back(parse_grid(file, item, mark, grids_item_label(index)));
    ++index;
  }
  return result;
}

bool has_axis(const Grid& grid, std::string_view key) {
  return std::any_of(grid.axes.begin(), grid.axes.end(),
                     [&](const GridAxis& axis) { return axis.key == key; });
}

// How errors name grid `index` of a sweep: "grid:" for the one grid of grid:, "grids: item N".
std::string grid_label(bool from_grids_key, std::size_t index) {
  return from_grids_key ? grids_item_label(index) : std::string(kGridKey) + ":";
}

bool is_name_character(char ch, bool first) {
  bool alphanumeric =
      (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
  return alphanumeric || (!first && (ch == '_' || ch == '.' || ch == '-'));
}

// The name becomes part of file paths, hence the narrow alphabet.
std::string parse_name(const MapEntry& entry) {
  constexpr std::size_t kMaxNameLength = 64;
  const std::string allowed =
      "allowed: 1 to 64 characters from A-Z a-z 0-9 _ . -, starting with a letter or a digit";
  if (!entry.value.IsScalar()) {
    throw SweepError(entry.value_mark,
                     "name: expected one value, found " + node_kind(entry.value) + "; " + allowed);
  }
  const std::string& name = entry.value.Scalar();
  bool valid = !name.empty() && name.size() <= kMaxNameLength;
  for (std::size_t i = 0; valid && i < name.size(); ++i) valid = is_name_character(name[i], i == 0);
  if (!valid) throw SweepError(entry.value_mark, "name: '" + name + "' is not allowed; " + allowed);
  return name;
}

// Fills in defaults for keys that the top level and some grid do not give; throws listing
// every required key given nowhere, or naming the first grid that lacks a required key that
// only other grids give.
void resolve_defaults(SweepSpec& spec, const SourceMark& document_mark, bool from_grids_key) {
  std::string missing;
  std::size_t missing_count = 0;
  std::optional<SweepError> missing_in_a_grid;
  for (const ParamDef& def : param_schema()) {
    if (spec.fixed.has(def.name)) continue;
    auto given_in = static_cast<std::size_t>(
        std::count_if(spec.grids.begin(), spec.grids.end(),
                      [&](const Grid& grid) { return has_axis(grid, def.name); }));
    if (!spec.grids.empty() && given_in == spec.grids.size()) continue;
    // Their defaults depend on the trial (scope, default_from): expand_trials sets them.
    if (def.scope || !def.default_from.empty()) continue;
    if (def.default_value) {
      // The grids that give the key override it in their trials.
      spec.fixed.set(def.name, *def.default_value);
      continue;
    }
    if (given_in > 0) {
      auto lacking = std::find_if(spec.grids.begin(), spec.grids.end(),
                                  [&](const Grid& grid) { return !has_axis(grid, def.name); });
      if (!missing_in_a_grid) {
        missing_in_a_grid.emplace(
            lacking->mark,
            grid_label(from_grids_key, static_cast<std::size_t>(lacking - spec.grids.begin())) +
                " has no " + def.name + " (" + def.describe_allowed() +
                "), which is required and not at top level; give it in every grid or once at "
                "top level");
      }
      continue;
    }
    missing += (missing.empty() ? "" : ", ") + def.name + " (" + def.describe_allowed() + ")";
    ++missing_count;
  }
  const char* where = from_grids_key ? "in every grid of grids:" : "under grid:";
  if (missing_count == 1) {
    throw SweepError(document_mark,
                     "missing required key " + missing + "; give it at top level or " + where);
  }
  if (missing_count > 1) {
    throw SweepError(document_mark,
                     "missing required keys " + missing + "; give each at top level or " + where);
  }
  if (missing_in_a_grid) throw *missing_in_a_grid;
}

}  // namespace

SweepSpec parse_sweep_text(std::string_view yaml, std::string_view source_name) {
  YAML::Node root = load_single_document(yaml, source_name);
  SourceMark document_mark{.file = std::string(source_name), .line = 1, .column = 1};
  if (root.IsNull()) {
    throw SweepError(document_mark,
                     "the sweep file is empty; expected keys such as name:, dataset: and grid:");
  }
  if (!root.IsMap()) {
    throw SweepError(source_mark(root, source_name),
                     "the top level must be a map of key: value lines, found " + node_kind(root));
  }

  SweepSpec spec;
  spec.source_path = std::string(source_name);
  spec.source_text = std::string(yaml);
  std::map<std::string, SourceMark, std::less<>> fixed_marks;  // top-level keys
  bool has_name = false;
  std::optional<MapEntry> grid_entry;  // grid: or grids:, whichever the file gives
  for (const MapEntry& entry : map_entries(root, source_name)) {
    if (entry.key == kNameKey) {
      spec.name = parse_name(entry);
      has_name = true;
    } else if (entry.key == kGridKey || entry.key == kGridsKey) {
      if (grid_entry) {
        // map_entries already rejects the same key twice, so this is the other one.
        throw SweepError(entry.key_mark,
                         "give either grid: (one grid) or grids: (a list of grids), not both (" +
                             grid_entry->key + ": is at line " +
                             std::to_string(grid_entry->key_mark.line) +
                             "); to vary an axis in every grid, repeat it in each item of grids:");
      }
      grid_entry = entry;
      if (entry.key == kGridKey) {
        spec.grids.push_back(
            parse_grid(source_name, entry.value, entry.value_mark, std::string(kGridKey)));
      } else {
        spec.grids = parse_grids(source_name, entry);
      }
    } else {
      const ParamDef& def = known_param(entry, /*in_grid=*/false);
      spec.fixed.set(entry.key, parse_fixed_value(def, entry));
      fixed_marks.emplace(entry.key, entry.key_mark);
    }
  }
  if (!has_name) {
    throw SweepError(document_mark,
                     "missing required key name (1 to 64 characters from A-Z a-z 0-9 _ . -)");
  }
  const bool from_grids_key = grid_entry && grid_entry->key == kGridsKey;
  for (std::size_t g = 0; g < spec.grids.size(); ++g) {
    for (const GridAxis& axis : spec.grids[g].axes) {
      if (auto fixed = fixed_marks.find(axis.key); fixed != fixed_marks.end()) {
        std::string where = from_grids_key ? "in " + grid_label(true, g) : "under grid:";
        throw SweepError(axis.mark, axis.key + " is given both at top level (line " +
                                        std::to_string(fixed->second.line) + ") and " + where +
                                        "; give it in one place");
      }
    }
  }
  resolve_defaults(spec, document_mark, from_grids_key);
  check_scoped_keys_apply(spec, fixed_marks);
  return spec;
}

SweepSpec parse_sweep_file(const std::filesystem::path& path) {
  SourceMark file_mark{.file = path.string()};
  std::error_code error;
  auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    throw SweepError(file_mark, "cannot read the sweep file: no such file");
  }
  if (std::filesystem::is_directory(status)) {
    throw SweepError(file_mark, "cannot read the sweep file: it is a folder");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw SweepError(file_mark, std::string("cannot read the sweep file: ") + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw SweepError(file_mark, "cannot read the sweep file: read error");
  return parse_sweep_text(text.str(), path.string());
}

}  // namespace comet::sweeps
