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

// One grid of a sweep file: the cartesian product of its axes.
struct Grid {
  std::vector<GridAxis> axes;  // in expansion order (see expand_trials)
  SourceMark mark;             // the grid's map: the value of grid:, or an item of grids:
};

struct SweepSpec {
  std::string name;
  std::string source_path;  // as given by the user
  std::string source_text;  // the YAML as read, stored with the sweep
  // Every top-level key, plus the default of every unscoped key that some grid does not give
  // (a grid's axis overrides it in that grid's trials).
  TrialConfig fixed;
  // grid: gives one, grids: one per item in file order; none without either (one trial).
  std::vector<Grid> grids;
};

// The keys that are an axis in some grid, each once, in expansion order (data axes, model,
// then the others in order of first appearance). For display: the columns of a plan or a
// summary; a trial of a grid without one of them may lack the key (or hold its default).
std::vector<std::string> axis_keys(const SweepSpec& spec);

struct TrialSpec {
  std::string id;      // trial_id(config)
  TrialConfig config;  // fixed keys + one value of every axis, scoped keys applied; complete
};

// Parse and validate. Throws SweepError with file:line:column for every problem: YAML syntax,
// unknown keys (with "did you mean"), wrong types, out-of-range values, empty or duplicated
// axes, malformed grids: (not a list, an empty list, an item that is not a non-empty map),
// both grid: and grids:, a key both at top level and in a grid, a required key missing (from
// the top level and from some grid), a scoped key that applies to no trial (of its grid, when
// it is given in one). Defaults of scoped keys are not put into `fixed` (they depend on the
// trial); expand_trials sets them.
SweepSpec parse_sweep_file(const std::filesystem::path& path);
SweepSpec parse_sweep_text(std::string_view yaml, std::string_view source_name);

// The union of the grids' cartesian products, grid by grid in file order (no grid: the one
// trial of the top-level keys). Within a grid, axes that decide what data is loaded (dataset,
// then the split keys) vary slowest, then `model`, then the other axes in file order; so
// consecutive trials share a dataset and model for as long as possible. In each trial, scoped
// keys that do not apply are erased and those that apply get their default when not given
// (bernoulli.p: the trial's p_k). Then it checks cross-key rules (e.g. floor(p_k * width) >= 1)
// and throws SweepError naming the axis values. Trials that are equal (the comet trial of
// bernoulli.p: [0.3, 0.5] x model: [comet, bernoulli], or one that two grids both give) are
// one: the first is kept, in order.
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
