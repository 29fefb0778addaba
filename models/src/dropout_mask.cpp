#include "dropout_mask.h"

namespace comet::models {

torch::Tensor DropoutMask::mask(std::int64_t, const torch::Tensor&, const torch::Tensor&,
                                const torch::Tensor& activation) {
  if (!is_training() || keep_ >= 1.0) return {};
  return torch::empty_like(activation).bernoulli_(keep_).div_(keep_);
}

}  // namespace comet::models
