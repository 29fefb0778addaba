#pragma once
// Private to models/. The backbone's elementwise activation f, chosen by name.

#include <functional>
#include <string>

#include <torch/torch.h>

namespace comet::models {

using Activation = std::function<torch::Tensor(const torch::Tensor&)>;

// tanh, relu, softplus, gelu, silu, mish, elu, selu, leaky_relu (slope 0.1, as the paper's
// appendix A.6), sigmoid. Throws ModelError for any other name.
Activation make_activation(const std::string& name);

}  // namespace comet::models
