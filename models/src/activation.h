#pragma once
// Private to models/. The backbone's elementwise activation f, chosen by name, with its
// derivative for the hand-written backward pass of the fused SGD step (masked_mlp.cpp).

#include <functional>
#include <string>

#include <torch/torch.h>

namespace comet::models {

class Activation {
 public:
  using Forward = std::function<torch::Tensor(const torch::Tensor&)>;
  // grad_output, a (the pre-activation), f(a) -> grad_output * f'(a).
  using Backward = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&,
                                               const torch::Tensor&)>;

  Activation(Forward forward, Backward backward)
      : forward_(std::move(forward)), backward_(std::move(backward)) {}

  torch::Tensor operator()(const torch::Tensor& a) const { return forward_(a); }
  // The same ATen kernels autograd runs for f, so the two backward passes agree elementwise.
  torch::Tensor backward(const torch::Tensor& grad_output, const torch::Tensor& a,
                         const torch::Tensor& f_of_a) const {
    return backward_(grad_output, a, f_of_a);
  }

 private:
  Forward forward_;
  Backward backward_;
};

// tanh, relu, softplus, gelu, gelu_new (GPT-2's tanh approximation), silu, mish, elu, selu,
// leaky_relu (slope 0.1, as the paper's appendix A.6), sigmoid. Throws ModelError for any other
// name.
Activation make_activation(const std::string& name);

}  // namespace comet::models
