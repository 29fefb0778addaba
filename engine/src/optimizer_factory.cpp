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
        parameters, torch::optim::SGDOptions(lr).momentum(kSgdMomentum).weight_decay(wd));
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

namespace {

// torch::optim::SGD keys its per-parameter state by the parameter's TensorImpl address.
std::string state_key(const torch::Tensor& p) {
  return c10::guts::to_string(p.unsafeGetTensorImpl());
}

}  // namespace

std::vector<torch::Tensor> momentum_buffers_of(torch::optim::Optimizer& sgd,
                                               const std::vector<torch::Tensor>& parameters) {
  std::vector<torch::Tensor> buffers;
  auto& state = sgd.state();
  for (const auto& p : parameters) {
    auto found = state.find(state_key(p));
    buffers.push_back(
        found == state.end()
            ? torch::Tensor()
            : static_cast<torch::optim::SGDParamState&>(*found->second).momentum_buffer());
  }
  return buffers;
}

void store_momentum_buffers(torch::optim::Optimizer& sgd,
                            const std::vector<torch::Tensor>& parameters,
                            const std::vector<torch::Tensor>& buffers) {
  auto& state = sgd.state();
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (!buffers[i].defined()) continue;
    auto param_state = std::make_unique<torch::optim::SGDParamState>();
    param_state->momentum_buffer(buffers[i]);
    state[state_key(parameters[i])] = std::move(param_state);
  }
}

}  // namespace comet::engine
