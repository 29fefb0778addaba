#pragma once
// One seed per trial drives everything through separate derived streams, so that e.g. adding
// dropout does not shift the data order, and a routing network is the same whatever the model.

#include <cstdint>

namespace comet::models {

enum class SeedStream : std::uint64_t {
  backbone_init = 1,
  routing_init = 2,
  data_order = 3,
  dropout = 4,
  example_masks = 5,
  // `comet analyze` (engine/src/*_analysis.cpp): its random inputs and the trial seeds of its
  // random networks, drawn from the analysis's seed.
  analysis_inputs = 6,
  analysis_networks = 7,
  // `augment: crop_flip`: the crop offsets and flips (datasets::crop_flip).
  augmentation = 8,
};

// splitmix64 finaliser over (seed, stream): well-mixed, platform-independent.
constexpr std::uint64_t derive_seed(std::uint64_t trial_seed, SeedStream stream) {
  std::uint64_t z = trial_seed * 0x9E3779B97F4A7C15ULL +
                    static_cast<std::uint64_t>(stream) * 0xD1B54A32D192ED03ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace comet::models
