#pragma once
// A parsed sweep file and its expansion into trials.

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "comet/sweeps/param_value.h"
#include "comet/sweeps/sweep_error.h"

namespace comet::sweeps {

struct GridAxis {
  std::string key;
  std::vector<ParamValue> values;  // validated, normalised, no duplicates
  SourceMark mark;                 // where the axis was written
};

struct SweepSpec {
  std::string name;
  std::string source_path;     // as given by the user
  std::string source_text;     // the YAML as read, stored with the sweep
  TrialConfig fixed;           // every non-grid key, defaults resolved
  std::vector<GridAxis> grid;  // in expansion order (see expand_trials)
};

struct TrialSpec {
  std::string id;      // trial_id(config)
  TrialConfig config;  // fixed keys + one value of every axis
};

// Parse and validate. Throws SweepError with file:line:column for every problem: YAML syntax,
// unknown keys (with "did you mean"), wrong types, out-of-range values, empty or duplicated
// axes, a key both fixed and in the grid, a missing required key.
SweepSpec parse_sweep_file(const std::filesystem::path& path);
SweepSpec parse_sweep_text(std::string_view yaml, std::string_view source_name);

// The cartesian product of the grid. Axes that decide what data is loaded (dataset, then the
// split keys) vary slowest, then `model`, then the other axes in file order; so consecutive
// trials share a dataset and model for as long as possible. Also checks cross-key rules of
// each trial (e.g. floor(p_k * width) >= 1) and throws SweepError naming the axis values.
std::vector<TrialSpec> expand_trials(const SweepSpec& spec);

// 16 lower-case hex digits: the first 64 bits of SHA-256 of config.canonical_json().
std::string trial_id(const TrialConfig& config);

// SHA-256 of bytes, as 64 lower-case hex digits (own implementation, tested on FIPS vectors).
std::string sha256_hex(std::string_view bytes);

}  // namespace comet::sweeps
