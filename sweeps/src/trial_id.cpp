// trial_id: the hash of a configuration without the keys at their default (see sweep_spec.h).

#include "comet/sweeps/param_schema.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {

std::string trial_id(const TrialConfig& config) {
  TrialConfig hashed;
  for (const auto& [key, value] : config.values()) {
    const ParamDef* def = find_param(key);
    // Defaults are resolved against the full config: bernoulli.p is compared with the trial's
    // p_k even when p_k itself is left out for being at its default.
    std::optional<ParamValue> default_value = def ? def->default_for(config) : std::nullopt;
    if (default_value && *default_value == value) continue;
    hashed.set(key, value);
  }
  return sha256_hex(hashed.canonical_json()).substr(0, 16);
}

}  // namespace comet::sweeps
