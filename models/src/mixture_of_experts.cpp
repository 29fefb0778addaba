#include "mixture_of_experts.h"

#include <cmath>

namespace comet::models {
namespace {

// U(-1/sqrt(fan_in), 1/sqrt(fan_in)), nn.Linear's default, as every other layer of the family.
torch::Tensor uniform_init(torch::IntArrayRef shape, std::int64_t fan_in, at::Generator& gen) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return torch::empty(shape).uniform_(-bound, bound, gen);
}

torch::nn::Linear init_linear(std::int64_t in, std::int64_t out, at::Generator& gen) {
  torch::nn::Linear linear(in, out);
  linear->weight.copy_(uniform_init({out, in}, in, gen));
  linear->bias.copy_(uniform_init({out}, in, gen));
  return linear;
}

}  // namespace

MixtureOfExperts::MixtureOfExperts(const MixtureShape& shape, Activation activation,
                                   const std::string& norm, bool trainable_router, bool scaled_gate,
                                   at::Generator& generator, at::Generator& router_generator)
    : shape_(shape), activation_(std::move(activation)), scaled_gate_(scaled_gate), norm_(norm) {
  torch::NoGradGuard no_grad;
  const auto e = shape.experts;
  std::vector<std::int64_t> dims{shape.input_dim};
  for (std::int64_t l = 0; l + 1 < shape.depth; ++l) dims.push_back(shape.expert_width);
  dims.push_back(shape.output_dim);
  for (std::size_t l = 1; l < dims.size(); ++l) {
    const std::string suffix = std::to_string(l);
    weights_.push_back(register_parameter(
        "W" + suffix, uniform_init({e, dims[l], dims[l - 1]}, dims[l - 1], generator)));
    biases_.push_back(
        register_parameter("b" + suffix, uniform_init({e, 1, dims[l]}, dims[l - 1], generator)));
    if (l + 1 == dims.size() || norm == "none") continue;
    if (norm == "batch") {
      batch_norms_.push_back(make_hidden_norm("batch", e * dims[l]));
      register_module("norm" + suffix, batch_norms_.back().ptr());
    } else {
      make_hidden_norm(norm, dims[l]);  // validates the name
      layer_scales_.push_back(
          register_parameter("norm_scale" + suffix, torch::ones({e, 1, dims[l]})));
      layer_shifts_.push_back(
          register_parameter("norm_shift" + suffix, torch::zeros({e, 1, dims[l]})));
    }
  }
  router_hidden_ = register_module(
      "router_hidden", init_linear(shape.input_dim, shape.router_width, router_generator));
  router_out_ = register_module("router_out", init_linear(shape.router_width, e, router_generator));
  if (!trainable_router) {
    for (auto& p : router_hidden_->parameters()) p.set_requires_grad(false);
    for (auto& p : router_out_->parameters()) p.set_requires_grad(false);
  }
}

torch::Tensor MixtureOfExperts::normalise(std::size_t layer, const torch::Tensor& a) {
  if (norm_ == "batch") {
    // Every expert sees every example here, so each expert unit is normalised over the batch.
    const auto e = a.size(0), b = a.size(1), w = a.size(2);
    auto flat = a.permute({1, 0, 2}).reshape({b, e * w});
    return batch_norms_[layer].forward(flat).reshape({b, e, w}).permute({1, 0, 2});
  }
  if (norm_ == "layer") {
    auto plain = torch::layer_norm(a, {a.size(2)});
    return plain * layer_scales_[layer] + layer_shifts_[layer];
  }
  return a;
}

torch::Tensor MixtureOfExperts::expert_outputs(const torch::Tensor& x) {
  auto h = x.unsqueeze(0).expand({shape_.experts, x.size(0), x.size(1)});
  const auto last = weights_.size() - 1;
  for (std::size_t l = 0; l <= last; ++l) {
    h = torch::baddbmm(biases_[l], h, weights_[l].transpose(1, 2));
    if (l < last) h = activation_(normalise(l, h));
  }
  return h;
}

torch::Tensor MixtureOfExperts::gate(const torch::Tensor& x) {
  return torch::softmax(router_out_->forward(activation_(router_hidden_->forward(x))), 1);
}

torch::Tensor MixtureOfExperts::forward(const torch::Tensor& x) {
  // Every expert runs on the whole batch and the chosen rows are gathered: one batched matmul
  // per layer instead of a scatter per expert; gradients reach only the chosen expert.
  auto outputs = expert_outputs(x).permute({1, 0, 2});  // [batch, experts, out]
  auto g = gate(x);
  auto choice = g.argmax(1, /*keepdim=*/true);  // top-1; ties go to the lower index
  auto index = choice.unsqueeze(2).expand({x.size(0), 1, outputs.size(2)});
  auto chosen = outputs.gather(1, index).squeeze(1);
  if (!scaled_gate_) return chosen;
  return chosen * g.gather(1, choice);
}

}  // namespace comet::models
