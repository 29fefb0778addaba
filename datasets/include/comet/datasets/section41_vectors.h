#pragma once
// The random input vectors of the paper's section 4.1 (Fig. 2), generated with comet's own
// generator (splitmix64 + Box-Muller), identical on every platform. Torch-free; defined in
// datasets/src/synthetic_data.cpp (comet_dataset_formats).

#include <cstdint>
#include <vector>

namespace comet::datasets {

// `count` vectors of `length` floats. Per vector, mu is an integer drawn uniformly from
// [0, 100]; every component ~ N(mu, 25) (standard deviation 5). Throws DatasetError for
// count < 0 or length < 1.
std::vector<std::vector<float>> section41_vectors(std::int64_t count, std::uint64_t seed,
                                                  std::int64_t length = 100);

}  // namespace comet::datasets
