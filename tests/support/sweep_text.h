#pragma once
// Sweeps from YAML text, for tests of the sweeps layer.

#include <string>
#include <vector>

#include "comet/sweeps/sweep_error.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::testing {

// Lines 1-6 of a valid sweep; tests append lines 7 onward, so error marks count from there.
inline const std::string kSweepLines1To6 =
    "name: t\n"
    "dataset: mnist\n"
    "model: comet\n"
    "epochs: 1\n"
    "lr: 0.1\n"
    "width: 10\n";

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
