#include "train_val_split.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "splitmix64.h"

namespace comet::datasets {

SplitIndices split_train_validation(std::int64_t n, double val_fraction, std::uint64_t seed) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  SplitMix64 rng(seed);
  for (std::int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(i + 1)));
    std::swap(order[i], order[j]);
  }
  const auto n_val = static_cast<std::int64_t>(std::llround(static_cast<double>(n) * val_fraction));
  SplitIndices out;
  out.validation.assign(order.begin(), order.begin() + n_val);
  out.train.assign(order.begin() + n_val, order.end());
  std::sort(out.validation.begin(), out.validation.end());
  std::sort(out.train.begin(), out.train.end());
  return out;
}

}  // namespace comet::datasets
