#pragma once
// One entry of a sweep's map checked against the schema: a top-level value, a grid axis, the
// sweep's name. Shared by the parser (entries of the file) and the command-line overrides
// (an entry built from key=value).

#include <string>
#include <string_view>

#include "yaml_nodes.h"

#include "comet/sweeps/param_schema.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {

inline constexpr std::string_view kNameKey = "name";
inline constexpr std::string_view kGridKey = "grid";
inline constexpr std::string_view kGridsKey = "grids";

// The schema entry of a key, or a SweepError with a "did you mean" hint (name, grid and grids
// are candidates too unless `in_grid`).
const ParamDef& known_param(const MapEntry& entry, bool in_grid);

// A single value (top level): not empty, not a list or map, valid for `def`.
ParamValue parse_fixed_value(const ParamDef& def, const MapEntry& entry);

// A grid axis: a non-empty list of valid values, each given once.
GridAxis parse_axis(std::string_view file, const ParamDef& def, const MapEntry& entry);

// The sweep's name: 1 to 64 characters from A-Z a-z 0-9 _ . -, starting with a letter or a
// digit (it may become part of a file name, so no '/', "..", spaces or control characters).
std::string parse_name(const MapEntry& entry);

}  // namespace comet::sweeps
