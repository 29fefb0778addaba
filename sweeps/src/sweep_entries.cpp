#include "sweep_entries.h"

#include <map>
#include <vector>

#include "edit_distance.h"
#include "text_bytes.h"

namespace comet::sweeps {
namespace {

std::string known_keys_text(bool include_sweep_keys) {
  std::string text = include_sweep_keys ? "name, grid, grids" : "";
  for (const ParamDef& def : param_schema()) text += (text.empty() ? "" : ", ") + def.name;
  return text;
}

// A scalar node checked against its key's definition.
ParamValue checked_value(const ParamDef& def, const YAML::Node& node, const SourceMark& mark) {
  ParamValue value = node.Scalar();
  if (auto problem = def.check(value)) throw SweepError(mark, *problem);
  return value;
}

bool is_name_character(char ch, bool first) {
  bool alphanumeric =
      (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
  return alphanumeric || (!first && (ch == '_' || ch == '.' || ch == '-'));
}

}  // namespace

const ParamDef& known_param(const MapEntry& entry, bool in_grid) {
  if (const ParamDef* def = find_param(entry.key)) return *def;
  std::vector<std::string_view> candidates;
  if (!in_grid) candidates = {kNameKey, kGridKey, kGridsKey};
  for (const ParamDef& def : param_schema()) candidates.push_back(def.name);
  std::string hint = closest_name(entry.key, candidates);
  std::string where = in_grid ? "unknown grid key '" : "unknown key '";
  if (!hint.empty()) {
    throw SweepError(entry.key_mark,
                     where + excerpt(entry.key) + "'; did you mean '" + hint + "'?");
  }
  throw SweepError(entry.key_mark,
                   where + excerpt(entry.key) + "'; known keys: " + known_keys_text(!in_grid));
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
  // Each value's first position: a list of 100000 values is checked in n log n, not n^2.
  // Values are normalised (1 and 1.0 of a real key are one value; -0.0 equals 0.0).
  std::map<ParamValue, std::size_t> first_index;
  for (YAML::Node item : entry.value) {
    // yaml-cpp places an empty item at the next token; the list itself is a safer place.
    SourceMark mark = item.IsNull() ? entry.value_mark : source_mark(item, file);
    if (!item.IsScalar()) {
      throw SweepError(mark, "grid axis '" + entry.key + "': each item must be one value (" +
                                 def.describe_allowed() + "), found " + node_kind(item));
    }
    ParamValue value = checked_value(def, item, mark);
    auto [duplicate, is_new] = first_index.emplace(value, axis.values.size());
    if (!is_new) {
      const SourceMark& first = value_marks[duplicate->second];
      throw SweepError(mark, "grid axis '" + entry.key + "' lists " + excerpt(to_display(value)) +
                                 " twice (first at line " + std::to_string(first.line) +
                                 ", column " + std::to_string(first.column) +
                                 "); give each value once");
    }
    axis.values.push_back(std::move(value));
    value_marks.push_back(mark);
  }
  return axis;
}

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
  if (!valid) {
    throw SweepError(entry.value_mark, "name: '" + excerpt(name) + "' is not allowed; " + allowed);
  }
  return name;
}

}  // namespace comet::sweeps
