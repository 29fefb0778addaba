// parse_sweep_file / parse_sweep_text: YAML -> validated SweepSpec.

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "axis_order.h"
#include "model_presets.h"
#include "param_scope.h"
#include "source_check.h"
#include "sweep_entries.h"
#include "sweep_overrides.h"
#include "trial_count.h"
#include "yaml_nodes.h"

#include "comet/sweeps/param_schema.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

// The sizes of the lists among `entries`, for the trial limit before their values are parsed.
std::vector<AxisSize> list_sizes(const std::vector<MapEntry>& entries) {
  std::vector<AxisSize> sizes;
  for (const MapEntry& entry : entries) {
    if (entry.value.IsSequence()) sizes.push_back({entry.key, entry.value.size(), entry.key_mark});
  }
  return sizes;
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
  const std::vector<MapEntry> entries = map_entries(node, file);
  checked_grid_trials(list_sizes(entries));  // before any value is parsed
  for (const MapEntry& entry : entries) {
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
  TrialTotal total;
  for (YAML::Node item : grids.value) {
    // yaml-cpp places an empty item ("-" alone) at the next token; the list is a safer place.
    SourceMark mark = item.IsNull() ? grids.value_mark : source_mark(item, file);
    // Counted before the item is parsed: aliases (- *g repeated) cost no parsing past the limit.
    if (item.IsMap()) total.add(checked_grid_trials(list_sizes(map_entries(item, file))), mark);
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
    // Their defaults depend on the trial (scope, default_from, derived): expand_trials sets them.
    if (def.scope || !def.default_from.empty()) continue;
    if (def.derive_default != nullptr && some_trial_derives(spec, def)) continue;
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

SweepSpec parse_sweep_text(std::string_view yaml, std::string_view source_name,
                           const std::vector<SweepOverride>& overrides) {
  check_sweep_bytes(yaml, source_name);
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
  apply_overrides(overrides, spec, fixed_marks);
  resolve_defaults(spec, document_mark, from_grids_key);
  check_scoped_keys_apply(spec, fixed_marks);
  check_size_conflicts(spec, fixed_marks);
  return spec;
}

SweepSpec parse_sweep_file(const std::filesystem::path& path,
                           const std::vector<SweepOverride>& overrides) {
  SourceMark file_mark{.file = path.string()};
  std::error_code error;
  auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    const bool missing = !error || error == std::errc::no_such_file_or_directory;
    throw SweepError(file_mark,
                     "cannot read the sweep file: " + (missing ? "no such file" : error.message()));
  }
  if (std::filesystem::is_directory(status)) {
    throw SweepError(file_mark, "cannot read the sweep file: it is a folder");
  }
  // Refused before it is read; a file whose size is not known in advance (a pipe, /dev/zero)
  // is read up to one byte past the limit, which check_sweep_bytes then refuses.
  if (std::filesystem::is_regular_file(status)) {
    const auto size = std::filesystem::file_size(path, error);
    if (!error && size > kMaxSweepFileBytes) throw SweepError(file_mark, too_large_message(size));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw SweepError(file_mark, std::string("cannot read the sweep file: ") + std::strerror(errno));
  }
  std::string text(kMaxSweepFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) throw SweepError(file_mark, "cannot read the sweep file: read error");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxSweepFileBytes) throw SweepError(file_mark, too_large_message({}));
  return parse_sweep_text(text, path.string(), overrides);
}

}  // namespace comet::sweeps
