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

namespace {

// p <- p - lr d with d = dL/dp + wd p, or with momentum buf <- momentum buf + d and d = buf.
// `gradient_into(out, beta, alpha)` writes beta out + alpha dL/dp into out (a GEMM's beta and
// alpha for a weight).
template <typename GradientInto>
void sgd_update(torch::Tensor& p, torch::Tensor* buffer, const SgdUpdate& u,
                GradientInto gradient_into) {
  if (buffer == nullptr) {
    gradient_into(p, 1.0 - u.lr * u.weight_decay, -u.lr);  // (1 - lr wd) p - lr dL/dp
    return;
  }
  if (!buffer->defined()) {
    *buffer = torch::zeros_like(p);  // the first step: buf = d
    gradient_into(*buffer, 0.0, 1.0);
  } else {
    gradient_into(*buffer, u.momentum, 1.0);
  }
  if (u.weight_decay != 0) buffer->add_(p, u.weight_decay);
  p.add_(*buffer, -u.lr);
}

}  // namespace

torch::Tensor MaskedMlp::sgd_step(
    const torch::Tensor& x, const torch::Tensor& example_ids,
    const std::vector<torch::Tensor>* masks,
    const std::function<torch::Tensor(const torch::Tensor&)>& output_gradient,
    const SgdUpdate& update) {
  TORCH_CHECK(has_plain_layers(), "sgd_step: the backbone has norm layers");
  const bool momentum = update.momentum != 0;
  TORCH_CHECK(!momentum || (update.momentum_buffers != nullptr &&
                            update.momentum_buffers->size() == 2 * layers_.size()),
              "sgd_step: momentum needs one buffer per weight and bias");
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
  for (std::size_t l = layers_.size(); l-- > 0;) {
    auto& weight = layers_[l]->weight;
    auto& bias = layers_[l]->bias;
    torch::Tensor below;  // dL/dx_{l-1}, from W_l before its update
    if (l > 0) below = grad.mm(weight);
    auto* buffers = momentum ? update.momentum_buffers->data() + 2 * l : nullptr;
    // dL/dW_l = grad^T x_{l-1}: straight into W_l (or its buffer) by the GEMM's beta and alpha.
    sgd_update(weight, buffers, update, [&](torch::Tensor& out, double beta, double alpha) {
      out.addmm_(grad.t(), inputs[l], beta, alpha);
    });
    const auto bias_grad = grad.sum(0);
    sgd_update(bias, buffers == nullptr ? nullptr : buffers + 1, update,
               [&](torch::Tensor& out, double beta, double alpha) {
                 if (beta != 1.0) out.mul_(beta);
                 out.add_(bias_grad, alpha);
               });
    if (l == 0) break;
    // x_{l-1} = m * f(a): the gradient reaches a only where the mask kept the unit.
    if (used[l - 1].defined()) below.mul_(used[l - 1]);
    grad = activation_.backward(below, pre[l - 1], post[l - 1]);
  }
  return out;
}

}  // namespace comet::models
