#pragma once
// Finding where a value of a parsed sweep was written, for errors found after parsing.

#include <string_view>

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {

// The mark of `value` under `key` in spec.source_text (top level or in a grid's list). Falls
// back to the grid axis's mark, then to the file alone, when the text does not show it (for
// example a default value, or a spec built in code).
SourceMark locate_value(const SweepSpec& spec, std::string_view key, const ParamValue& value);

}  // namespace comet::sweeps
