#include "axis_order.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace comet::sweeps {
namespace {

// Keys that change which data a trial loads go first, so that consecutive trials can reuse
// a loaded dataset; `model` next, so that they also share a model build for longest.
constexpr std::array<std::string_view, 5> kLeadingAxes = {"dataset", "val_fraction", "split_seed",
                                                          "train_limit", "model"};

}  // namespace

std::size_t expansion_rank(std::string_view key) {
  auto found = std::find(kLeadingAxes.begin(), kLeadingAxes.end(), key);
  return static_cast<std::size_t>(found - kLeadingAxes.begin());  // others: size()
}

void order_axes_for_expansion(std::vector<GridAxis>& axes) {
  std::stable_sort(axes.begin(), axes.end(), [](const GridAxis& a, const GridAxis& b) {
    return expansion_rank(a.key) < expansion_rank(b.key);
  });
}

std::vector<std::string> axis_keys(const SweepSpec& spec) {
  std::vector<GridAxis> keys;  // values left empty: only the keys are ordered
  for (const Grid& grid : spec.grids) {
    for (const GridAxis& axis : grid.axes) {
      bool seen = std::any_of(keys.begin(), keys.end(),
                              [&](const GridAxis& key) { return key.key == axis.key; });
      if (!seen) keys.push_back({.key = axis.key, .values = {}, .mark = axis.mark});
    }
  }
  order_axes_for_expansion(keys);
  std::vector<std::string> result;
  result.reserve(keys.size());
  for (GridAxis& key : keys) result.push_back(std::move(key.key));
  return result;
}

}  // namespace comet::sweeps
