#pragma once
// Private to models/.

#include "mask_policy.h"

namespace comet::models {

// The `dropout` baseline: units dropped with probability 1 - p_k in training, survivors scaled
// by 1 / p_k (torch.nn.Dropout, as the authors' code); no mask at evaluation. Draws from
// torch's default generator, which the trainer seeds from the trial's dropout stream.
class DropoutMask : public MaskPolicy {
 public:
  explicit DropoutMask(double keep) : keep_(keep) {}
  torch::Tensor mask(std::int64_t layer, const torch::Tensor& layer_input,
                     const torch::Tensor& pre_activation, const torch::Tensor& activation) override;

 private:
  double keep_;
};

}  // namespace comet::models
