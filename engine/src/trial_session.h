#pragma once
// Private to engine/. A trial's training objects, built fresh or restored from its checkpoint,
// shared by the epoch loop (trainer.cpp) and the step loop of language models
// (language_training.cpp).

#include <memory>
#include <vector>

#include <torch/torch.h>

#include "checkpoint.h"

#include "comet/datasets/dataset.h"
#include "comet/models/network.h"

namespace comet::engine {

struct TrialSession {
  std::shared_ptr<const datasets::Dataset> data;
  std::unique_ptr<models::Network> net;
  std::vector<torch::Tensor> parameters;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  at::Generator order_gen;
  torch::Device device{torch::kCPU};  // where the data lives (with its index: cuda:0)
  int epochs_done = 0;                // epochs, or records of step-based training
  GlobalGenerators global;            // torch's default generators as training (re)starts
  // Step-based training: where the checkpoint left it (all zeros when fresh).
  StepPosition position;

  TrainingState state() { return {*net, *optimizer, order_gen, device}; }
};

}  // namespace comet::engine
