#pragma once
// Rules that involve several keys of one trial, checked when the grid is expanded.

#include <optional>
#include <string>

#include "comet/sweeps/param_value.h"

namespace comet::sweeps {

struct CrossKeyViolation {
  std::string key;  // the key whose value the error points at
  std::string message;
};

// The first rule the trial breaks, if any. Keys a rule needs but the trial lacks are skipped.
std::optional<CrossKeyViolation> find_cross_key_violation(const TrialConfig& config);

// k = floor(p_k * width), the hidden units a k-winner-take-all layer keeps. The 1e-9 absorbs
// the binary rounding of a decimal p_k (0.29 * 100 is 28.999999999999996 in doubles).
// Same formula as models::kept_units (models/ depends on nothing of ours, so it is kept twice;
// both are pinned by tests on 0.29 x 100 = 29).
std::int64_t kept_units(double p_k, std::int64_t width);

}  // namespace comet::sweeps
