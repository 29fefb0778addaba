#include "hidden_norm.h"

#include "comet/models/network.h"

namespace comet::models {

const std::vector<std::string>& norm_names() {
  static const std::vector<std::string> names = {"none", "batch", "layer"};
  return names;
}

torch::nn::AnyModule make_hidden_norm(const std::string& name, std::int64_t width) {
  if (name == "none") return {};
  if (name == "batch") return torch::nn::AnyModule(torch::nn::BatchNorm1d(width));
  if (name == "layer") {
    return torch::nn::AnyModule(torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
  }
  throw ModelError("unknown norm '" + name + "'; allowed: none, batch, layer");
}

}  // namespace comet::models
