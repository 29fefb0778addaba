#pragma once
// The order in which grid axes are expanded (see expand_trials in sweep_spec.h).

#include <vector>

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {

// Stable: the data axes (dataset, then the split keys) first, then `model`, then the other
// axes in their current (file) order. Applying it twice changes nothing.
void order_axes_for_expansion(std::vector<GridAxis>& axes);

}  // namespace comet::sweeps
