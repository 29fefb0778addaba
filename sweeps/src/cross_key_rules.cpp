#include "cross_key_rules.h"

#include <cmath>
#include <variant>

namespace comet::sweeps {

std::int64_t kept_units(double p_k, std::int64_t width) {
  return static_cast<std::int64_t>(std::floor(p_k * static_cast<double>(width) + 1e-9));
}

std::optional<CrossKeyViolation> find_cross_key_violation(const TrialConfig& config) {
  if (config.has("p_k") && config.has("width")) {
    double p_k = config.real("p_k");
    std::int64_t width = config.integer("width");
    std::int64_t kept = kept_units(p_k, width);
    if (kept < 1) {
      return CrossKeyViolation{.key = "p_k",
                               .message = "p_k " + to_display(config.at("p_k")) + " x width " +
                                          std::to_string(width) + " keeps " + std::to_string(kept) +
                                          " units; floor(p_k * width) must be >= 1"};
    }
  }
  return std::nullopt;
}

}  // namespace comet::sweeps
