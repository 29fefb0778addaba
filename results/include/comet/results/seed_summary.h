#pragma once
// Aggregation over seeds: trials that differ only in `seed` form one cell.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "comet/results/result_store.h"

namespace comet::results {

struct SeedCell {
  std::vector<std::pair<std::string, std::string>> key;  // (axis, displayed value), grid order
  double mean = 0;
  double stddev = 0;  // sample standard deviation (n - 1); 0 when n == 1
  int n = 0;          // trials with a value
};

// Groups `trials` by the values of `axes` (seed excluded) and summarises best validation
// accuracy; trials without a value (not done) are not counted. Cells keep first-seen order.
std::vector<SeedCell> summarise_best_val_acc(const std::vector<TrialRow>& trials,
                                             const std::vector<std::string>& axes);
// The same cells over any metric: `series` maps a trial id to its (epoch, value) curve
// (ResultStore::metric_series), each done trial's best epoch is the max, or the min when
// `lower_is_better` (validation MSE of a regression sweep).
std::vector<SeedCell> summarise_best(
    const std::vector<TrialRow>& trials, const std::vector<std::string>& axes,
    const std::map<std::string, std::vector<std::pair<int, double>>>& series, bool lower_is_better);

}  // namespace comet::results
