#pragma once
// Private to datasets/. Generated data: Gaussian clusters for quick sweeps, and the vectors of
// the paper's section 4.1. Both use comet's own generator (splitmix64 + Box-Muller), not
// <random>'s distributions, whose algorithms differ between standard libraries.

#include <cstdint>
#include <vector>

#include "raw_data.h"

#include "comet/datasets/section41_vectors.h"  // section41_vectors

namespace comet::datasets {

// Options (dataset-scoped sweep keys), each validated:
//   dims        features per example, integer >= 1, default 10
//   classes     integer >= 1, default 2
//   separation  finite number >= 0, default 3.0: centres ~ N(0, separation^2 I)
//   count       training examples, integer >= 1, default 1000; the test split has count / 4
//   seed        integer >= 0, default 0
// Example i of a split has class i % classes and features centre[class] + N(0, I).
RawData read_synthetic_clusters(const ReaderContext& context);

}  // namespace comet::datasets
