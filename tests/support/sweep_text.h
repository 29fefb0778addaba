#pragma once
// Sweeps from YAML text, for tests of the sweeps layer.

#include <string>
#include <vector>

#include "comet/sweeps/sweep_error.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::testing {

// what() of the SweepError that parsing `yaml` throws, "no error" if it parses.
inline std::string parse_error(const std::string& yaml) {
  try {
    sweeps::parse_sweep_text(yaml, "bad.yaml");
  } catch (const sweeps::SweepError& error) {
    return error.what();
  }
  return "no error";
}

inline std::vector<sweeps::TrialSpec> expand(const std::string& yaml) {
  return sweeps::expand_trials(sweeps::parse_sweep_text(yaml, "sweep.yaml"));
}

}  // namespace comet::testing
