#pragma once
// Private to engine/. The optimizer a trial asks for.

#include <memory>

#include <torch/torch.h>

#include "comet/sweeps/param_value.h"

namespace comet::engine {

constexpr double kSgdMomentum = 0.9;  // `sgd_momentum`

// optimizer: sgd | sgd_momentum (momentum 0.9) | adam | adamw, with lr and weight_decay.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const sweeps::TrialConfig& config,
                                                        std::vector<torch::Tensor> parameters);

// An SGD optimizer's momentum buffers, one per parameter (undefined where it has none yet), and
// back: the fused SGD step updates the same tensors torch::optim::SGD keeps and checkpoints.
std::vector<torch::Tensor> momentum_buffers_of(torch::optim::Optimizer& sgd,
                                               const std::vector<torch::Tensor>& parameters);
void store_momentum_buffers(torch::optim::Optimizer& sgd,
                            const std::vector<torch::Tensor>& parameters,
                            const std::vector<torch::Tensor>& buffers);

}  // namespace comet::engine
