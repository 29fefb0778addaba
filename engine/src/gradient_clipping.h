#pragma once
// Private to engine/. The `grad_clip` option, without a host synchronisation per step (LibTorch
// 1.13's clip_grad_norm_ returns the norm as a double, which waits for the GPU every step).

#include <vector>

#include <torch/torch.h>

namespace comet::engine {

// mode "norm": scales every gradient by min(1, max / (total L2 norm + 1e-6)), the formula of
// torch.nn.utils.clip_grad_norm_; mode "value": clamps every gradient value to [-max, max].
void clip_gradients(const std::vector<torch::Tensor>& parameters, const std::string& mode,
                    double max);

}  // namespace comet::engine
