#include "activation.h"

#include "comet/models/network.h"

namespace comet::models {

namespace F = torch::nn::functional;

namespace {

// SELU's constants as ATen's selu uses them.
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kLeakySlope = 0.1;

}  // namespace

Activation make_activation(const std::string& name) {
  using T = torch::Tensor;
  if (name == "tanh") {
    return {[](const T& a) { return torch::tanh(a); },
            [](const T& g, const T&, const T& y) { return at::tanh_backward(g, y); }};
  }
  if (name == "relu") {
    return {[](const T& a) { return torch::relu(a); },
            [](const T& g, const T&, const T& y) { return at::threshold_backward(g, y, 0); }};
  }
  if (name == "softplus") {
    // F::softplus's defaults: beta 1, threshold 20 (linear above it).
    return {[](const T& a) { return F::softplus(a); },
            [](const T& g, const T& a, const T&) { return at::softplus_backward(g, a, 1, 20); }};
  }
  if (name == "gelu") {
    return {[](const T& a) { return F::gelu(a); },
            [](const T& g, const T& a, const T&) { return at::gelu_backward(g, a); }};
  }
  if (name == "gelu_new") {
    // GPT-2's (HF's NewGELUActivation): 0.5 a (1 + tanh(sqrt(2 / pi) (a + 0.044715 a^3))),
    // which is torch's gelu with approximate="tanh".
    return {[](const T& a) { return F::gelu(a, F::GELUFuncOptions().approximate("tanh")); },
            [](const T& g, const T& a, const T&) { return at::gelu_backward(g, a, "tanh"); }};
  }
  if (name == "silu") {
    return {[](const T& a) { return F::silu(a); },
            [](const T& g, const T& a, const T&) { return at::silu_backward(g, a); }};
  }
  if (name == "mish") {
    return {[](const T& a) { return F::mish(a); },
            [](const T& g, const T& a, const T&) { return at::mish_backward(g, a); }};
  }
  if (name == "elu") {
    return {[](const T& a) { return F::elu(a); },
            [](const T& g, const T& a, const T&) {
              return at::elu_backward(g, 1.0, 1.0, 1.0, /*is_result=*/false, a);
            }};
  }
  if (name == "selu") {
    return {[](const T& a) { return F::selu(a); },
            [](const T& g, const T& a, const T&) {
              return at::elu_backward(g, kSeluAlpha, kSeluScale, 1.0, /*is_result=*/false, a);
            }};
  }
  if (name == "leaky_relu") {
    return {[](const T& a) {
              return F::leaky_relu(a, F::LeakyReLUFuncOptions().negative_slope(kLeakySlope));
            },
            [](const T& g, const T& a, const T&) {
              return at::leaky_relu_backward(g, a, kLeakySlope, /*self_is_result=*/false);
            }};
  }
  if (name == "sigmoid") {
    return {[](const T& a) { return torch::sigmoid(a); },
            [](const T& g, const T&, const T& y) { return at::sigmoid_backward(g, y); }};
  }
  std::string allowed;
  for (const auto& n : activation_names()) allowed += (allowed.empty() ? "" : ", ") + n;
  throw ModelError("unknown activation '" + name + "'; allowed: " + allowed);
}

}  // namespace comet::models
