#pragma once
// Private to engine/. The optimizer a trial asks for.

#include <memory>

#include <torch/torch.h>

#include "comet/sweeps/param_value.h"

namespace comet::engine {

// optimizer: sgd | sgd_momentum (momentum 0.9) | adam | adamw, with lr and weight_decay.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const sweeps::TrialConfig& config,
                                                        std::vector<torch::Tensor> parameters);

}  // namespace comet::engine
