#pragma once
// Keys whose values come from other keys of the same trial: the named GPT-2 sizes (`size: small`
// sets dim, depth and heads) and derived defaults (arch gpt2's width is 4 * dim).

#include <map>
#include <optional>
#include <string>

#include "comet/sweeps/param_schema.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {

struct SizePreset {
  const char* name;
  std::int64_t dim, depth, heads;
};

// GPT-2's published sizes (Radford et al. 2019; HF's gpt2, gpt2-medium, gpt2-large configs).
const SizePreset* find_size_preset(std::string_view name);

// arch gpt2 with `size` other than custom: sets dim, depth and heads from the preset.
void apply_size_preset(TrialConfig& config);

// The derived default of `width`: 4 * dim for arch gpt2 (GPT-2's n_inner), none otherwise.
std::optional<ParamValue> derived_width(const TrialConfig& config);

// Sets every key with a derive_default that `config` lacks; returns the first one that has no
// value there (a required key for this trial: width for arch mlp), or nullptr.
const ParamDef* apply_derived_defaults(TrialConfig& config);

// Whether some trial of the sweep may take `def`'s derived default (width: some trial has arch
// gpt2), so that the parser leaves the key to expand_trials instead of calling it missing.
bool some_trial_derives(const SweepSpec& spec, const ParamDef& def);

// Throws SweepError when a sweep gives `size` (other than custom) and also one of the keys it
// sets (dim, depth, heads) at top level or in the same grid: the two would disagree.
void check_size_conflicts(const SweepSpec& spec,
                          const std::map<std::string, SourceMark, std::less<>>& top_level);

}  // namespace comet::sweeps
