#pragma once
// Scoped keys (ParamDef::scope): keys that belong only to some trials of a sweep.

#include <map>
#include <string>

#include "comet/sweeps/param_schema.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {

// Erases every scoped key that does not apply to `config` and sets the default of every scoped
// or default_from key that applies but is absent. `config` holds every unscoped key. Returns
// the first scoped key without a default (required where it applies, e.g. csv.file) that
// applies but is absent, or nullptr.
const ParamDef* apply_scopes(TrialConfig& config);

// Gives every key that `config`'s trial does not use (ParamDef::ignored_when: p_k of a standard
// trial) its default, so that grid points differing only in such keys are one trial with one
// id. Runs after apply_scopes (a default_from key has taken its value by then). Returns whether
// a key changed.
bool fold_ignored_keys(TrialConfig& config);

// Throws SweepError at the key's mark when a scoped key the sweep gives applies to none of the
// trials it belongs to ("moe.gate applies only to trials with model moe or moe_fixed, and this
// sweep has none"): a top-level key belongs to every grid, an axis to its grid. `top_level`
// maps each top-level key to its mark; the scope keys' values are read from spec.fixed and
// each grid's axes (defaults resolved). Every value of an axis occurs in some trial of its
// grid's cartesian product, so this is exact before expansion.
void check_scoped_keys_apply(const SweepSpec& spec,
                             const std::map<std::string, SourceMark, std::less<>>& top_level);

}  // namespace comet::sweeps
