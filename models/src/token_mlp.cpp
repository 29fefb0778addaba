#include "token_mlp.h"

#include "cap_mask.h"
#include "comet_routing.h"
#include "vision_parts.h"

namespace comet::models {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// comet's first layer and routing projection in one GEMM: [a | c] = x [W1; V]^T + [b1; 0]
// (both read the same token x), then m = C_k(c) on the routing columns. a reaches autograd as
// fc1's output (gradients to x, W1, b1 as nn.Linear's); V and the mask are constants.
struct RoutedLinear : public torch::autograd::Function<RoutedLinear> {
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias,
                               const torch::Tensor& routing, std::int64_t k) {
    const auto hidden = weight.size(0);
    const auto stacked = torch::cat({weight, routing});
    const auto bias_and_zero = torch::cat({bias, torch::zeros({routing.size(0)}, bias.options())});
    auto both = torch::addmm(bias_and_zero, x, stacked.t());
    auto c = both.narrow(1, hidden, routing.size(0));
    auto mask = cap_in_place(c, k);  // eq. (5), per token; zeroes c's dropped entries
    ctx->save_for_backward({x, weight});
    ctx->mark_non_differentiable({mask});
    return {both.narrow(1, 0, hidden), mask};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& grad_a = grads[0];
    torch::Tensor grad_x, grad_w, grad_b;
    if (ctx->needs_input_grad(0)) grad_x = grad_a.mm(saved[1]);
    if (ctx->needs_input_grad(1)) grad_w = grad_a.t().mm(saved[0]);
    if (ctx->needs_input_grad(2)) grad_b = grad_a.sum(0);
    return {grad_x, grad_w, grad_b, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

namespace {

// fc1 drawn before fc2: the order every vision model's initial weights depend on.
TokenMlpLayers default_token_mlp_layers(std::int64_t in, std::int64_t hidden,
                                        at::Generator& generator) {
  TokenMlpLayers layers;
  layers.fc1 = make_linear(in, hidden, true, generator);
  layers.fc2 = make_linear(hidden, in, true, generator);
  return layers;
}

}  // namespace

TokenMlp::TokenMlp(std::int64_t in, std::int64_t hidden, Activation activation,
                   std::shared_ptr<MaskPolicy> policy, double dropout, at::Generator& generator)
    : TokenMlp(default_token_mlp_layers(in, hidden, generator), std::move(activation),
               std::move(policy), dropout, dropout) {}

TokenMlp::TokenMlp(TokenMlpLayers layers, Activation activation, std::shared_ptr<MaskPolicy> policy,
                   double hidden_dropout, double output_dropout)
    : fc1_(register_module("fc1", std::move(layers.fc1))),
      fc2_(register_module("fc2", std::move(layers.fc2))),
      activation_(std::move(activation)),
      policy_(register_module("policy", std::move(policy))),
      hidden_dropout_(hidden_dropout),
      output_dropout_(output_dropout) {
  routing_ = dynamic_cast<const CometRouting*>(policy_.get());
}

torch::Tensor TokenMlp::masked_hidden(const torch::Tensor& x, bool with_dropout,
                                      torch::Tensor* mask) {
  const auto hidden = fc1_->weight.size(0);
  torch::Tensor a, m;
  if (routing_ != nullptr && routing_->kept(0) < hidden) {
    auto out = RoutedLinear::apply(x, fc1_->weight, fc1_->bias, routing_->routing_weight(0),
                                   routing_->kept(0));
    a = out[0];
    m = out[1];
  } else {
    // comet with k == hidden keeps every unit: no mask, exactly what standard computes.
    a = torch::addmm(fc1_->bias, x, fc1_->weight.t());
  }
  auto y = activation_(a);
  if (routing_ == nullptr) {
    policy_->begin(x, torch::Tensor());
    m = policy_->mask(0, x, a, y);
  }
  if (mask != nullptr) *mask = m.defined() ? m.to(y.scalar_type()) : m;
  const auto noise = dropout_noise(y, with_dropout ? hidden_dropout_ : 0.0, is_training());
  if (!m.defined()) return apply_noise(y, noise);
  return y * (noise.defined() ? noise * m : m);
}

torch::Tensor TokenMlp::hidden(const torch::Tensor& x, torch::Tensor* mask) {
  return masked_hidden(x, false, mask);
}

torch::Tensor TokenMlp::forward(const torch::Tensor& x) {
  auto h = masked_hidden(x, true, nullptr);
  auto out = torch::addmm(fc2_->bias, h, fc2_->weight.t());
  return apply_noise(out, dropout_noise(out, output_dropout_, is_training()));
}

}  // namespace comet::models
