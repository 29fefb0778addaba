#include "topk_cap.h"

#include "cap_mask.h"

namespace comet::models {

torch::Tensor TopkCap::mask(std::int64_t layer, const torch::Tensor&,
                            const torch::Tensor& pre_activation, const torch::Tensor& activation) {
  torch::NoGradGuard no_grad;
  return cap_mask(on_pre_activation_ ? pre_activation : activation, kept_.at(layer));
}

}  // namespace comet::models
