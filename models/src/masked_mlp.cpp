#include "masked_mlp.h"

#include <algorithm>
#include <cmath>

namespace comet::models {

MaskedMlp::MaskedMlp(const std::vector<std::int64_t>& dims, Activation activation,
                     std::shared_ptr<MaskPolicy> policy, at::Generator& generator,
                     const std::string& norm)
    : activation_(std::move(activation)), policy_(register_module("policy", std::move(policy))) {
  torch::NoGradGuard no_grad;
  for (std::size_t l = 1; l < dims.size(); ++l) {
    auto linear = torch::nn::Linear(dims[l - 1], dims[l]);
    const double bound = 1.0 / std::sqrt(static_cast<double>(dims[l - 1]));
    linear->weight.uniform_(-bound, bound, generator);
    linear->bias.uniform_(-bound, bound, generator);
    std::string name = "fc";  // see comet_routing.cpp: avoids a GCC 12 false warning
    name += std::to_string(l);
    layers_.push_back(register_module(name, linear));
    if (l + 1 < dims.size()) {
      norms_.push_back(make_hidden_norm(norm, dims[l]));
      if (!norms_.back().is_empty()) register_module("norm" + name.substr(2), norms_.back().ptr());
    }
  }
}

torch::Tensor MaskedMlp::forward(const torch::Tensor& x, const torch::Tensor& example_ids,
                                 Trace* trace, const std::vector<torch::Tensor>* masks) {
  if (masks == nullptr) policy_->begin(x, example_ids);
  if (trace != nullptr) *trace = Trace{};
  auto h = x;
  const auto hidden = static_cast<std::int64_t>(layers_.size()) - 1;
  for (std::int64_t l = 0; l < hidden; ++l) {
    auto a = layers_[l]->forward(h);  // eq. (1)/(7)
    if (!norms_[l].is_empty()) a = norms_[l].forward(a);
    auto y = activation_(a);
    auto m = masks != nullptr ? (*masks)[l] : policy_->mask(l, h, a, y);
    h = m.defined() ? y * m : y;  // eq. (8): x_l = m_l * f(a_l)
    if (trace != nullptr) {
      trace->masks.push_back(m.defined() ? m.to(y.scalar_type()) : torch::ones_like(y));
      trace->activations.push_back(h);
    }
  }
  return layers_.back()->forward(h);  // a_L: never masked
}

bool MaskedMlp::has_plain_layers() const {
  return std::all_of(norms_.begin(), norms_.end(), [](const auto& n) { return n.is_empty(); });
}

torch::Tensor MaskedMlp::sgd_step(
    const torch::Tensor& x, const torch::Tensor& example_ids,
    const std::vector<torch::Tensor>* masks,
    const std::function<torch::Tensor(const torch::Tensor&)>& output_gradient, double lr,
    double weight_decay) {
  TORCH_CHECK(has_plain_layers(), "sgd_step: the backbone has norm layers");
  torch::NoGradGuard no_grad;
  if (masks == nullptr) policy_->begin(x, example_ids);
  const auto hidden = layers_.size() - 1;
  // What the backward pass needs per hidden layer: the layer's input x_{l-1}, a_l, f(a_l), m_l.
  std::vector<torch::Tensor> inputs{x}, pre(hidden), post(hidden), used(hidden);
  auto h = x;
  for (std::size_t l = 0; l < hidden; ++l) {
    auto a = torch::addmm(layers_[l]->bias, h, layers_[l]->weight.t());
    auto y = activation_(a);
    auto m = masks != nullptr ? (*masks)[l] : policy_->mask(static_cast<std::int64_t>(l), h, a, y);
    h = m.defined() ? y * m : y;
    pre[l] = a;
    post[l] = y;
    used[l] = m;
    inputs.push_back(h);
  }
  auto out = torch::addmm(layers_.back()->bias, h, layers_.back()->weight.t());
  auto grad = output_gradient(out);  // dL/da_L, [batch, outputs]
  // torch.optim.SGD: p <- p - lr (g + wd p) = (1 - lr wd) p - lr g, for weights and biases.
  const double keep = 1.0 - lr * weight_decay;
  for (std::size_t l = layers_.size(); l-- > 0;) {
    auto& weight = layers_[l]->weight;
    auto& bias = layers_[l]->bias;
    torch::Tensor below;  // dL/dx_{l-1}, from W_l before its update
    if (l > 0) below = grad.mm(weight);
    weight.addmm_(grad.t(), inputs[l], keep, -lr);
    if (keep != 1.0) bias.mul_(keep);
    bias.add_(grad.sum(0), -lr);
    if (l == 0) break;
    // x_{l-1} = m * f(a): the gradient reaches a only where the mask kept the unit.
    if (used[l - 1].defined()) below.mul_(used[l - 1]);
    grad = activation_.backward(below, pre[l - 1], post[l - 1]);
  }
  return out;
}

}  // namespace comet::models
