#include "optimizer_factory.h"

#include <stdexcept>

namespace comet::engine {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const sweeps::TrialConfig& config,
                                                        std::vector<torch::Tensor> parameters) {
  const auto& name = config.text("optimizer");
  const double lr = config.real("lr");
  const double wd = config.real("weight_decay");
  if (name == "sgd") {
    return std::make_unique<torch::optim::SGD>(parameters,
                                               torch::optim::SGDOptions(lr).weight_decay(wd));
  }
  if (name == "sgd_momentum") {
    return std::make_unique<torch::optim::SGD>(
        parameters, torch::optim::SGDOptions(lr).momentum(0.9).weight_decay(wd));
  }
  if (name == "adam") {
    return std::make_unique<torch::optim::Adam>(parameters,
                                                torch::optim::AdamOptions(lr).weight_decay(wd));
  }
  if (name == "adamw") {
    return std::make_unique<torch::optim::AdamW>(parameters,
                                                 torch::optim::AdamWOptions(lr).weight_decay(wd));
  }
  // The sweep schema admits only the names above; reaching here is a schema/engine mismatch.
  throw std::logic_error("optimizer '" + name + "' is in the schema but not in the engine");
}

}  // namespace comet::engine
