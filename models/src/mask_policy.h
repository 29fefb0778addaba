#pragma once
// Private to models/. The strategy that decides which hidden units of the backbone survive.
// Every MLP model of the paper but the MoE is the same backbone (MaskedMlp) with one of these
// policies; docs/models.md lists which.

#include <torch/torch.h>

namespace comet::models {

class MaskPolicy : public torch::nn::Module {
 public:
  // Called once per forward pass, before layer 0, with the network input x_0 and the ids.
  virtual void begin(const torch::Tensor& input, const torch::Tensor& example_ids) {}
  // The multiplicative mask m_l for hidden layer `layer` (0-based; [batch, width], {0,1} for
  // every policy but dropout's inverted scaling), or an undefined tensor for none. layer_input
  // is x_{l-1}, pre_activation a_l, activation f(a_l). Masks are constants of the graph: no
  // gradient flows through them. is_training() tells training from evaluation.
  virtual torch::Tensor mask(std::int64_t layer, const torch::Tensor& layer_input,
                             const torch::Tensor& pre_activation,
                             const torch::Tensor& activation) = 0;
};

// No masks: `standard`, `smaller` and `l1`.
class NoMask : public MaskPolicy {
 public:
  torch::Tensor mask(std::int64_t, const torch::Tensor&, const torch::Tensor&,
                     const torch::Tensor&) override {
    return {};
  }
};

}  // namespace comet::models
