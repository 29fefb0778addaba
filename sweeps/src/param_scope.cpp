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

// The values the scope key takes over the sweep's trials.
std::vector<ParamValue> scope_key_values(const SweepSpec& spec, const std::string& key) {
  for (const GridAxis& axis : spec.grid) {
    if (axis.key == key) return axis.values;
  }
  if (spec.fixed.has(key)) return {spec.fixed.at(key)};
  return {};
}

}  // namespace

bool ParamDef::applies_to(const TrialConfig& config) const {
  if (!scope) return true;
  return config.has(scope->key) && in_scope(*scope, config.at(scope->key));
}

std::optional<ParamValue> ParamDef::default_for(const TrialConfig& config) const {
  if (default_value) return default_value;
  if (!default_from.empty() && config.has(default_from)) return config.at(default_from);
  return std::nullopt;
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

void check_scoped_keys_apply(const SweepSpec& spec,
                             const std::map<std::string, SourceMark, std::less<>>& given) {
  for (const ParamDef& def : param_schema()) {
    if (!def.scope) continue;
    auto mark = given.find(def.name);
    if (mark == given.end()) continue;
    std::vector<ParamValue> values = scope_key_values(spec, def.scope->key);
    bool used = std::any_of(values.begin(), values.end(),
                            [&](const ParamValue& value) { return in_scope(*def.scope, value); });
    if (!used) {
      throw SweepError(mark->second, def.name + " applies only to trials with " + def.scope->key +
                                         " " + or_list(def.scope->values) +
                                         ", and this sweep has none");
    }
  }
}

}  // namespace comet::sweeps
