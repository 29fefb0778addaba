#pragma once
// The sweep keys comet knows: type, allowed values, default, help. The single source of
// truth for validation, `comet run --help`'s key list and docs/commands/run.md.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "comet/sweeps/param_value.h"

namespace comet::sweeps {

enum class ParamType { integer, real, text, choice };

// A key that applies only to trials whose `key` has one of `values` (e.g. moe.gate only for
// model moe or moe_fixed). `key` is always an unscoped key, so every trial has it.
struct ParamScope {
  std::string key;
  std::vector<std::string> values;
};

struct ParamDef {
  std::string name;
  ParamType type;
  std::optional<ParamValue> default_value;  // nullopt: required
  std::vector<std::string> choices;         // for ParamType::choice
  std::optional<double> min;                // numeric bounds
  std::optional<double> max;
  bool min_exclusive = false;
  bool max_exclusive = false;
  std::string help;
  std::optional<ParamScope> scope;  // nullopt: applies to every trial
  // Non-empty: the default is the trial's value of this other key (bernoulli.p defaults to the
  // trial's p_k); default_value is then nullopt.
  std::string default_from;
  // Non-null: the key's default is computed from the trial's other keys (arch gpt2's width is
  // 4 * dim); a nullopt from it means the trial must give the key (an mlp's width). Checked per
  // trial when the grid is expanded, after scoped defaults and size presets are applied.
  std::optional<ParamValue> (*derive_default)(const TrialConfig&) = nullptr;
  // Trials whose `ignored_when->key` has one of its values do not use this key (p_k for model
  // standard or l1, grad_clip_mode without clipping): they hold its default instead, so grid
  // points that differ only in it are one trial (fold_ignored_keys in param_scope.h).
  std::optional<ParamScope> ignored_when;

  // Neither a default value nor a default_from nor a derived default: the sweep must give it.
  bool required() const { return !default_value && default_from.empty() && !derive_default; }
  // Whether the key belongs in `config`, judged by its scope key's value there.
  bool applies_to(const TrialConfig& config) const;
  // The value the key takes in `config` when the sweep does not give it: default_value, or
  // config's value of default_from, or derive_default's value. nullopt for a required key, an
  // absent default_from key or a derived default that does not apply.
  std::optional<ParamValue> default_for(const TrialConfig& config) const;
  // Whether `config` is a trial that does not use this key (ignored_when).
  bool ignored_in(const TrialConfig& config) const;
  // "ignored by model standard, l1", or "" for a key every trial uses.
  std::string describe_ignored() const;
  // "only for model moe, moe_fixed", or "" for an unscoped key.
  std::string describe_scope() const;

  // "an integer >= 1", "a real in (0, 1]", "one of: sgd, adam", ...
  std::string describe_allowed() const;
  // Checks the type and bounds and normalises (an integer given for a real becomes a real).
  // Text given for a numeric key is parsed strictly first (YAML scalars and command-line
  // values arrive as text), so "3" passes for an integer key and "3.0" does not.
  // Returns the error text (without location) on failure.
  std::optional<std::string> check(ParamValue& value) const;
};

const std::vector<ParamDef>& param_schema();
const ParamDef* find_param(std::string_view name);
// The known key closest to `name` by edit distance (for "did you mean"), or "" if none is close.
std::string closest_param(std::string_view name);

}  // namespace comet::sweeps
