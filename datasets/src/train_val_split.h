#pragma once
// Private to datasets/. The seeded train/validation split of a training file (the paper: 80/20).

#include <cstdint>
#include <vector>

namespace comet::datasets {

struct SplitIndices {
  std::vector<std::int64_t> train;       // ascending
  std::vector<std::int64_t> validation;  // ascending
};

// round(n * val_fraction) examples go to validation, chosen by a Fisher-Yates shuffle driven by
// splitmix64(seed) with rejection sampling: the same on every platform and standard library
// (std::shuffle and std::uniform_int_distribution are implementation-defined).
SplitIndices split_train_validation(std::int64_t n, double val_fraction, std::uint64_t seed);

}  // namespace comet::datasets
