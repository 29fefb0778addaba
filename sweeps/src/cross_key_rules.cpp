#include "cross_key_rules.h"

#include <cmath>
#include <string_view>
#include <variant>

namespace comet::sweeps {

std::int64_t kept_units(double p_k, std::int64_t width) {
  return static_cast<std::int64_t>(std::floor(p_k * static_cast<double>(width) + 1e-9));
}

namespace {

// The masking policies that have a meaning per token inside a block's MLP (docs/models.md).
// The others key a mask to the example (bernoulli, example_tied), feed the routing the
// backbone's own layers (layerwise), replace the MLP by experts (moe, moe_fixed) or add a
// penalty over an MLP's weights (l1): none of them is defined for a token row.
constexpr std::string_view kPerTokenModels[] = {"comet", "standard", "smaller", "topk", "dropout"};

std::optional<CrossKeyViolation> per_token_violation(const TrialConfig& config) {
  if (!config.has("arch") || !config.has("model")) return std::nullopt;
  const std::string& arch = config.text("arch");
  if (arch == "mlp") return std::nullopt;
  // The transformers have their own LayerNorms; `norm` is the MLP backbone's.
  if (config.has("norm") && config.text("norm") != "none") {
    return CrossKeyViolation{.key = "norm",
                             .message = "norm " + config.text("norm") +
                                        " applies to arch mlp; arch " + arch +
                                        " has the LayerNorms of its blocks; allowed: none"};
  }
  const std::string& model = config.text("model");
  for (std::string_view allowed : kPerTokenModels) {
    if (model == allowed) return std::nullopt;
  }
  return CrossKeyViolation{.key = "model",
                           .message = "model '" + model + "' is not defined per token; arch " +
                                      arch + " allows: comet, standard, smaller, topk, dropout"};
}

}  // namespace

std::optional<CrossKeyViolation> find_cross_key_violation(const TrialConfig& config) {
  if (auto violation = per_token_violation(config)) return violation;
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
