#include "gradient_clipping.h"

namespace comet::engine {

void clip_gradients(const std::vector<torch::Tensor>& parameters, const std::string& mode,
                    double max) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  for (const auto& p : parameters) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  if (grads.empty()) return;
  if (mode == "value") {
    for (auto& g : grads) g.clamp_(-max, max);
    return;
  }
  std::vector<torch::Tensor> norms;
  norms.reserve(grads.size());
  for (const auto& g : grads) norms.push_back(g.norm(2));
  auto total = torch::stack(norms).norm(2);
  auto scale = (total + 1e-6).reciprocal().mul(max).clamp_max(1.0);  // stays on the device
  for (auto& g : grads) g.mul_(scale);
}

}  // namespace comet::engine
