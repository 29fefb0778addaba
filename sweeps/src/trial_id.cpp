// trial_id: the hash of a configuration without the keys at their default (see sweep_spec.h).

#include <algorithm>
#include <stdexcept>

#include "text_bytes.h"

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

namespace comet::sweeps {

bool is_trial_id(std::string_view id) {
  return id.size() == 16 && std::all_of(id.begin(), id.end(), [](char ch) {
           return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
         });
}

std::string trial_file_name(std::string_view id, std::string_view extension) {
  if (!is_trial_id(id)) {
    throw std::invalid_argument("'" + printable(id, 40) +
                                "' is not a trial id (16 lower-case hex digits); no file is "
                                "named after it");
  }
  return std::string(id) + std::string(extension);
}

}  // namespace comet::sweeps
