#pragma once
// The limit on how many trials a sweep may have (kMaxTrials), checked twice: on the sizes of
// the lists before their values are parsed (so that aliases such as `grids: [*g, *g, ...]`
// cannot make the parser build millions of values), and on the parsed grids.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {

struct AxisSize {
  std::string key;
  std::size_t values = 0;
  SourceMark mark;  // the axis's key
};

// The trials of one grid: the product of its axes' sizes. Throws SweepError at the axis that
// takes it over kMaxTrials, listing every axis ("101 width x 1000 seed") in expansion order.
std::size_t checked_grid_trials(std::vector<AxisSize> axes);
std::size_t checked_grid_trials(const std::vector<GridAxis>& axes);

// The trials of several grids together; add() throws SweepError at the grid that takes the
// total over kMaxTrials.
class TrialTotal {
 public:
  void add(std::size_t grid_trials, const SourceMark& grid_mark);
  std::size_t total() const { return total_; }

 private:
  std::size_t total_ = 0;
  std::string counts_;  // "48 + 16"
};

}  // namespace comet::sweeps
