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
  TrialConfig fixed;           // every non-grid key, defaults of unscoped keys resolved
  std::vector<GridAxis> grid;  // in expansion order (see expand_trials)
};

struct TrialSpec {
  std::string id;      // trial_id(config)
  TrialConfig config;  // fixed keys + one value of every axis, scoped keys applied; complete
};

// Parse and validate. Throws SweepError with file:line:column for every problem: YAML syntax,
// unknown keys (with "did you mean"), wrong types, out-of-range values, empty or duplicated
// axes, a key both fixed and in the grid, a missing required key, a scoped key that applies to
// no trial of the sweep. Defaults of scoped keys are not put into `fixed` (they depend on the
// trial); expand_trials sets them.
SweepSpec parse_sweep_file(const std::filesystem::path& path);
SweepSpec parse_sweep_text(std::string_view yaml, std::string_view source_name);

// The cartesian product of the grid. Axes that decide what data is loaded (dataset, then the
// split keys) vary slowest, then `model`, then the other axes in file order; so consecutive
// trials share a dataset and model for as long as possible. In each trial, scoped keys that
// do not apply are erased and those that apply get their default when not given (bernoulli.p:
// the trial's p_k). Then it checks cross-key rules (e.g. floor(p_k * width) >= 1) and throws
// SweepError naming the axis values. Trials that scoping made identical (the comet trial of
// bernoulli.p: [0.3, 0.5] x model: [comet, bernoulli]) are one: the first is kept, in order.
std::vector<TrialSpec> expand_trials(const SweepSpec& spec);

// 16 lower-case hex digits: the first 64 bits of SHA-256 of the canonical JSON of `config`
// without the keys whose value equals their default (default_from: the other key's value in
// `config`); keys without a default, and keys not in the schema, are always hashed.
// Why: a key added later, with a default that keeps the old behaviour, leaves the id of every
// earlier trial unchanged, so results already stored stay matched to their trials. The price:
// a key's default may never change (it would silently give old ids to new behaviour).
std::string trial_id(const TrialConfig& config);

// SHA-256 of bytes, as 64 lower-case hex digits (own implementation, tested on FIPS vectors).
std::string sha256_hex(std::string_view bytes);

}  // namespace comet::sweeps
