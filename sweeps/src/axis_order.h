#pragma once
// The order in which grid axes are expanded (see expand_trials in sweep_spec.h).

#include <cstddef>
#include <string_view>
#include <vector>

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {

// Stable: the data axes (dataset, then the split keys) first, then `model`, then the other
// axes in their current (file) order. Applying it twice changes nothing.
void order_axes_for_expansion(std::vector<GridAxis>& axes);

// The sort key of that order: 0 for dataset, ... 3 for model, 4 for every other key.
std::size_t expansion_rank(std::string_view key);

}  // namespace comet::sweeps
