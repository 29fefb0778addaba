#include "param_scope.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "comet/sweeps/param_schema.h"

namespace comet::sweeps {
namespace {

bool in_scope(const ParamScope& scope, const ParamValue& value) {
  return std::find(scope.values.begin(), scope.values.end(), to_display(value)) !=
         scope.values.end();
}

// "moe", "moe or moe_fixed", "a, b or c".
std::string or_list(const std::vector<std::string>& values) {
  std::string text;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += i + 1 == values.size() ? " or " : ", ";
    text += values[i];
  }
  return text;
}

// The values the scope key takes in the trials of `grid` (nullptr: the one trial of a sweep
// without grids). spec.fixed holds every top-level key and the defaults of unscoped keys.
std::vector<ParamValue> scope_key_values(const SweepSpec& spec, const Grid* grid,
                                         const std::string& key) {
  if (grid != nullptr) {
    for (const GridAxis& axis : grid->axes) {
      if (axis.key == key) return axis.values;
    }
  }
  if (spec.fixed.has(key)) return {spec.fixed.at(key)};
  return {};
}

bool applies_in(const SweepSpec& spec, const Grid* grid, const ParamDef& def) {
  std::vector<ParamValue> values = scope_key_values(spec, grid, def.scope->key);
  return std::any_of(values.begin(), values.end(),
                     [&](const ParamValue& value) { return in_scope(*def.scope, value); });
}

std::string unused_message(const ParamDef& def, const std::string& where) {
  return def.name + " applies only to trials with " + def.scope->key + " " +
         or_list(def.scope->values) + ", and " + where + " has none";
}

}  // namespace

bool ParamDef::applies_to(const TrialConfig& config) const {
  if (!scope) return true;
  return config.has(scope->key) && in_scope(*scope, config.at(scope->key));
}

std::optional<ParamValue> ParamDef::default_for(const TrialConfig& config) const {
  if (default_value) return default_value;
  if (!default_from.empty() && config.has(default_from)) return config.at(default_from);
  if (derive_default != nullptr) return derive_default(config);
  return std::nullopt;
}

bool ParamDef::ignored_in(const TrialConfig& config) const {
  return ignored_when && config.has(ignored_when->key) &&
         in_scope(*ignored_when, config.at(ignored_when->key));
}

std::string ParamDef::describe_ignored() const {
  if (!ignored_when) return "";
  return "ignored by " + ignored_when->key + " " + or_list(ignored_when->values);
}

std::string ParamDef::describe_scope() const {
  if (!scope) return "";
  std::string values;
  for (const std::string& value : scope->values) values += (values.empty() ? "" : ", ") + value;
  return "only for " + scope->key + " " + values;
}

const ParamDef* apply_scopes(TrialConfig& config) {
  for (const ParamDef& def : param_schema()) {
    if (!def.scope && def.default_from.empty()) continue;
    if (!def.applies_to(config)) {
      config.erase(def.name);
    } else if (!config.has(def.name)) {
      std::optional<ParamValue> value = def.default_for(config);
      if (!value) return &def;  // required where it applies (csv.file)
      config.set(def.name, *value);
    }
  }
  return nullptr;
}

bool fold_ignored_keys(TrialConfig& config) {
  bool folded = false;
  for (const ParamDef& def : param_schema()) {
    if (!def.ignored_in(config) || !def.default_value) continue;
    if (config.has(def.name) && config.at(def.name) == *def.default_value) continue;
    config.set(def.name, *def.default_value);
    folded = true;
  }
  return folded;
}

void check_scoped_keys_apply(const SweepSpec& spec,
                             const std::map<std::string, SourceMark, std::less<>>& top_level) {
  for (const ParamDef& def : param_schema()) {
    if (!def.scope) continue;
    if (auto mark = top_level.find(def.name); mark != top_level.end()) {
      bool used = spec.grids.empty()
                      ? applies_in(spec, nullptr, def)
                      : std::any_of(spec.grids.begin(), spec.grids.end(),
                                    [&](const Grid& grid) { return applies_in(spec, &grid, def); });
      if (!used) throw SweepError(mark->second, unused_message(def, "this sweep"));
    }
    // Given in a grid, the key belongs to that grid's trials only: another grid's trials
    // that it would apply to do not make it used.
    for (std::size_t g = 0; g < spec.grids.size(); ++g) {
      const Grid& grid = spec.grids[g];
      for (const GridAxis& axis : grid.axes) {
        if (axis.key != def.name || applies_in(spec, &grid, def)) continue;
        throw SweepError(
            axis.mark,
            unused_message(def, spec.grids.size() == 1 ? std::string("this sweep")
                                                       : "grids: item " + std::to_string(g + 1)));
      }
    }
  }
}

}  // namespace comet::sweeps
