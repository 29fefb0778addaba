#include "masked_mlp.h"

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
                                 Trace* trace) {
  policy_->begin(x, example_ids);
  if (trace != nullptr) *trace = Trace{};
  auto h = x;
  const auto hidden = static_cast<std::int64_t>(layers_.size()) - 1;
  for (std::int64_t l = 0; l < hidden; ++l) {
    auto a = layers_[l]->forward(h);  // eq. (1)/(7)
    if (!norms_[l].is_empty()) a = norms_[l].forward(a);
    auto y = activation_(a);
    auto m = policy_->mask(l, h, a, y);
    h = m.defined() ? y * m : y;  // eq. (8): x_l = m_l * f(a_l)
    if (trace != nullptr) {
      trace->masks.push_back(m.defined() ? m : torch::ones_like(y));
      trace->activations.push_back(h);
    }
  }
  return layers_.back()->forward(h);  // a_L: never masked
}

}  // namespace comet::models
