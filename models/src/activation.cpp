#include "activation.h"

#include "comet/models/network.h"

namespace comet::models {

namespace F = torch::nn::functional;

Activation make_activation(const std::string& name) {
  if (name == "tanh") return [](const torch::Tensor& a) { return torch::tanh(a); };
  if (name == "relu") return [](const torch::Tensor& a) { return torch::relu(a); };
  if (name == "softplus") return [](const torch::Tensor& a) { return F::softplus(a); };
  if (name == "gelu") return [](const torch::Tensor& a) { return F::gelu(a); };
  if (name == "silu") return [](const torch::Tensor& a) { return F::silu(a); };
  if (name == "mish") return [](const torch::Tensor& a) { return F::mish(a); };
  if (name == "elu") return [](const torch::Tensor& a) { return F::elu(a); };
  if (name == "selu") return [](const torch::Tensor& a) { return F::selu(a); };
  if (name == "leaky_relu") {
    return [](const torch::Tensor& a) {
      return F::leaky_relu(a, F::LeakyReLUFuncOptions().negative_slope(0.1));
    };
  }
  if (name == "sigmoid") return [](const torch::Tensor& a) { return torch::sigmoid(a); };
  std::string allowed;
  for (const auto& n : activation_names()) allowed += (allowed.empty() ? "" : ", ") + n;
  throw ModelError("unknown activation '" + name + "'; allowed: " + allowed);
}

}  // namespace comet::models
