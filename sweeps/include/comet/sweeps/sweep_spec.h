#pragma once
// A parsed sweep file and its expansion into trials.

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "comet/sweeps/param_value.h"
#include "comet/sweeps/sweep_error.h"

namespace comet::sweeps {

// Limits on what a sweep may be (docs/errors.md, "Limits").
// Bytes of a sweep file (1 MiB): the paper's largest sweep is under 2 KiB; a bigger file is
// almost surely the wrong one (a dataset, a log) and is refused before it is read.
inline constexpr std::size_t kMaxSweepFileBytes = std::size_t{1} << 20;
// Trials of a sweep, over all its grids: refused, whatever the command line says.
inline constexpr std::size_t kMaxTrials = 100000;
// Trials `comet run` starts without --yes (the paper's largest sweep has 435).
inline constexpr std::size_t kTrialsWithoutConfirmation = 1000;

// A `key=value` from the command line that changes a sweep as editing its file would:
//  - a single value (epochs=2) sets the key at top level for every trial, replacing it where it
//    is a grid axis;
//  - a list (width=[100,200]) replaces the key's axis in the grids that have one; where no
//    grid has it, it becomes an axis of every grid (of a new grid: when the file has none) and
//    the key leaves the top level.
// The value is YAML (lists as [a, b]) and is checked as in a file. `name=other` renames the
// sweep; grid and grids cannot be overridden.
struct SweepOverride {
  std::string text;    // "key=value", as given
  std::string origin;  // where it was given ("argument 3"), for messages; "" when unknown

  // "override 'p_k=1.5' (argument 3)": the `file` of the SourceMark of its errors.
  std::string label() const;
};

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
  // The overrides applied, in order, and the keys they set with the override's label as mark.
  // source_text then ends with a comment line that lists them, so the text stored with the
  // sweep says which trials it gave.
  std::vector<SweepOverride> overrides;
  std::map<std::string, SourceMark, std::less<>> overridden;
};

// The keys that are an axis in some grid, each once, in expansion order (data axes, model,
// then the others in order of first appearance). For display: the columns of a plan or a
// summary; a trial of a grid without one of them may lack the key (or hold its default).
std::vector<std::string> axis_keys(const SweepSpec& spec);

struct TrialSpec {
  std::string id;      // trial_id(config)
  TrialConfig config;  // fixed keys + one value of every axis, scoped and ignored keys applied
  // The ids its grid points had before ignored keys were folded (ParamDef::ignored_when), in
  // grid order: the ids a database written by an earlier comet stores this trial under. Empty
  // when no key was folded.
  std::vector<std::string> earlier_ids{};
};

// Parse and validate. Throws SweepError with file:line:column for every problem: a file that
// is missing, unreadable, larger than kMaxSweepFileBytes or not UTF-8 text (NUL bytes, control
// characters, invalid UTF-8, UTF-16), YAML syntax or nesting beyond yaml-cpp's depth limit,
// unknown keys (with "did you mean"), wrong types, out-of-range values, empty or duplicated
// axes, malformed grids: (not a list, an empty list, an item that is not a non-empty map),
// both grid: and grids:, a key both at top level and in a grid, a required key missing (from
// the top level and from some grid), a scoped key that applies to no trial (of its grid, when
// it is given in one), more than kMaxTrials trials. Then the overrides are applied in order
// and checked the same way (their errors are marked with SweepOverride::label()). Defaults of
// scoped keys are not put into `fixed` (they depend on the trial); expand_trials sets them.
// parse_sweep_text parses a string (no file is read): `source_name` only names it in marks.
SweepSpec parse_sweep_file(const std::filesystem::path& path,
                           const std::vector<SweepOverride>& overrides = {});
SweepSpec parse_sweep_text(std::string_view yaml, std::string_view source_name,
                           const std::vector<SweepOverride>& overrides = {});

// The union of the grids' cartesian products, grid by grid in file order (no grid: the one
// trial of the top-level keys). Within a grid, axes that decide what data is loaded (dataset,
// then the split keys) vary slowest, then `model`, then the other axes in file order; so
// consecutive trials share a dataset and model for as long as possible. In each trial, scoped
// keys that do not apply are erased and those that apply get their default when not given
// (bernoulli.p: the trial's p_k). Then it checks cross-key rules (e.g. floor(p_k * width) >= 1)
// and throws SweepError naming the axis values. Trials that are equal (the comet trial of
// bernoulli.p: [0.3, 0.5] x model: [comet, bernoulli], or one that two grids both give) are
// one: the first is kept, in order. Keys a trial does not use (ParamDef::ignored_when: p_k of
// a standard trial) take their default before that, so `model: [standard], p_k: [0.1, 0.5]`
// is one trial whose earlier_ids are the two ids those grid points had before.
std::vector<TrialSpec> expand_trials(const SweepSpec& spec);

// The grid points of the sweep: the sum of its grids' products (1 without a grid). Minus the
// size of expand_trials, the points folded into a trial that another point already gives.
std::size_t grid_point_count(const SweepSpec& spec);

// 16 lower-case hex digits: the first 64 bits of SHA-256 of the canonical JSON of `config`
// without the keys whose value equals their default (default_from: the other key's value in
// `config`); keys without a default, and keys not in the schema, are always hashed.
// Why: a key added later, with a default that keeps the old behaviour, leaves the id of every
// earlier trial unchanged, so results already stored stay matched to their trials. The price:
// a key's default may never change (it would silently give old ids to new behaviour).
std::string trial_id(const TrialConfig& config);

// Whether `id` has the form trial_id gives: 16 lower-case hex digits.
bool is_trial_id(std::string_view id);
// "<id><extension>" (trial_file_name(id, ".ckpt")), the name of a trial's file in a run folder.
// Throws std::invalid_argument when `id` is not is_trial_id: an id read from a damaged database
// or a protocol line can then never name a path outside the folder ("../x", "/etc/x").
std::string trial_file_name(std::string_view id, std::string_view extension);

// SHA-256 of bytes, as 64 lower-case hex digits (own implementation, tested on FIPS vectors).
std::string sha256_hex(std::string_view bytes);

}  // namespace comet::sweeps
