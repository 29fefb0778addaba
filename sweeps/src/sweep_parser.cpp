// parse_sweep_file / parse_sweep_text: YAML -> validated SweepSpec.

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
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

std::string known_keys_text(bool include_sweep_keys) {
  std::string text = include_sweep_keys ? "name, grid" : "";
  for (const ParamDef& def : param_schema()) text += (text.empty() ? "" : ", ") + def.name;
  return text;
}

// The schema entry of a key, or a SweepError with a "did you mean" hint.
const ParamDef& known_param(const MapEntry& entry, bool in_grid) {
  if (const ParamDef* def = find_param(entry.key)) return *def;
  std::vector<std::string_view> candidates;
  if (!in_grid) candidates = {kNameKey, kGridKey};
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

std::vector<GridAxis> parse_grid(std::string_view file, const MapEntry& grid) {
  if (!grid.value.IsMap()) {
    throw SweepError(grid.value_mark,
                     "grid must be a map of key: [values], found " + node_kind(grid.value));
  }
  std::vector<GridAxis> axes;
  for (const MapEntry& entry : map_entries(grid.value, file)) {
    if (entry.key == kNameKey) {
      throw SweepError(entry.key_mark, "name cannot be a grid axis: a sweep has one name");
    }
    axes.push_back(parse_axis(file, known_param(entry, /*in_grid=*/true), entry));
  }
  return axes;
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

// Fills in defaults for keys given nowhere; throws listing every required key that is missing.
void resolve_defaults(SweepSpec& spec, const SourceMark& document_mark) {
  std::string missing;
  std::size_t missing_count = 0;
  for (const ParamDef& def : param_schema()) {
    bool in_grid = std::any_of(spec.grid.begin(), spec.grid.end(),
                               [&](const GridAxis& axis) { return axis.key == def.name; });
    if (in_grid || spec.fixed.has(def.name)) continue;
    // Their defaults depend on the trial (scope, default_from): expand_trials sets them.
    if (def.scope || !def.default_from.empty()) continue;
    if (def.default_value) {
      spec.fixed.set(def.name, *def.default_value);
      continue;
    }
    missing += (missing.empty() ? "" : ", ") + def.name + " (" + def.describe_allowed() + ")";
    ++missing_count;
  }
  if (missing_count == 1) {
    throw SweepError(document_mark,
                     "missing required key " + missing + "; give it at top level or under grid:");
  }
  if (missing_count > 1) {
    throw SweepError(document_mark, "missing required keys " + missing +
                                        "; give each at top level or under grid:");
  }
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
  for (const MapEntry& entry : map_entries(root, source_name)) {
    if (entry.key == kNameKey) {
      spec.name = parse_name(entry);
      has_name = true;
    } else if (entry.key == kGridKey) {
      spec.grid = parse_grid(source_name, entry);
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
  for (const GridAxis& axis : spec.grid) {
    if (auto fixed = fixed_marks.find(axis.key); fixed != fixed_marks.end()) {
      throw SweepError(axis.mark, axis.key + " is given both at top level (line " +
                                      std::to_string(fixed->second.line) +
                                      ") and under grid:; give it in one place");
    }
  }
  resolve_defaults(spec, document_mark);
  std::map<std::string, SourceMark, std::less<>> given_marks = fixed_marks;
  for (const GridAxis& axis : spec.grid) given_marks.emplace(axis.key, axis.mark);
  check_scoped_keys_apply(spec, given_marks);
  order_axes_for_expansion(spec.grid);
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
