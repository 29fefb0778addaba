#pragma once
// Private to models/. The `topk` baseline: the cap applied to the backbone itself, eq. (5)
// replaced by m_l = C_k(a_l). The routing is "trainable" in that a_l moves with W_l; the mask
// itself is a constant of the graph (no gradient through the selection).

#include <cstdint>
#include <vector>

#include "mask_policy.h"

namespace comet::models {

class TopkCap : public MaskPolicy {
 public:
  // on_pre_activation: rank a_l (the paper); otherwise f(a_l) (the authors' code). The two
  // differ for non-monotone activations (gelu, silu, mish) and in tie order for relu.
  TopkCap(std::vector<std::int64_t> kept, bool on_pre_activation)
      : kept_(std::move(kept)), on_pre_activation_(on_pre_activation) {}
  torch::Tensor mask(std::int64_t layer, const torch::Tensor& layer_input,
                     const torch::Tensor& pre_activation, const torch::Tensor& activation) override;

 private:
  std::vector<std::int64_t> kept_;
  bool on_pre_activation_;
};

}  // namespace comet::models
