#include "trial_count.h"

#include <algorithm>

#include "axis_order.h"

namespace comet::sweeps {

std::size_t checked_grid_trials(std::vector<AxisSize> axes) {
  std::stable_sort(axes.begin(), axes.end(), [](const AxisSize& a, const AxisSize& b) {
    return expansion_rank(a.key) < expansion_rank(b.key);
  });
  std::size_t count = 1;
  const AxisSize* crossing_axis = nullptr;  // the axis that took the count over the limit
  std::string product;
  for (const AxisSize& axis : axes) {
    product += (product.empty() ? "" : " x ") + std::to_string(axis.values) + " " + axis.key;
    // Saturate instead of multiplying on: several large axes could overflow size_t.
    count = count > kMaxTrials ? count : count * axis.values;
    if (count > kMaxTrials && crossing_axis == nullptr) crossing_axis = &axis;
  }
  if (crossing_axis != nullptr) {
    throw SweepError(crossing_axis->mark, "the grid has more than " + std::to_string(kMaxTrials) +
                                              " trials (" + product +
                                              "); split the sweep or shorten an axis");
  }
  return count;
}

std::size_t checked_grid_trials(const std::vector<GridAxis>& axes) {
  std::vector<AxisSize> sizes;
  sizes.reserve(axes.size());
  for (const GridAxis& axis : axes) sizes.push_back({axis.key, axis.values.size(), axis.mark});
  return checked_grid_trials(std::move(sizes));
}

void TrialTotal::add(std::size_t grid_trials, const SourceMark& grid_mark) {
  total_ += grid_trials;  // each count <= kMaxTrials and total_ <= kMaxTrials: no overflow
  counts_ += (counts_.empty() ? "" : " + ") + std::to_string(grid_trials);
  if (total_ > kMaxTrials) {
    throw SweepError(grid_mark, "the grids have more than " + std::to_string(kMaxTrials) +
                                    " trials together (" + counts_ +
                                    " up to this grid); split the sweep or shorten an axis");
  }
}

}  // namespace comet::sweeps
