#include "axis_order.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace comet::sweeps {
namespace {

// Keys that change which data a trial loads go first, so that consecutive trials can reuse
// a loaded dataset; `model` next, so that they also share a model build for longest.
constexpr std::array<std::string_view, 4> kLeadingAxes = {"dataset", "val_fraction", "split_seed",
                                                          "model"};

std::size_t expansion_rank(std::string_view key) {
  auto found = std::find(kLeadingAxes.begin(), kLeadingAxes.end(), key);
  return static_cast<std::size_t>(found - kLeadingAxes.begin());  // others: size()
}

}  // namespace

void order_axes_for_expansion(std::vector<GridAxis>& axes) {
  std::stable_sort(axes.begin(), axes.end(), [](const GridAxis& a, const GridAxis& b) {
    return expansion_rank(a.key) < expansion_rank(b.key);
  });
}

}  // namespace comet::sweeps
