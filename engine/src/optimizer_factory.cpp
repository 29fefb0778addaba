#include "optimizer_factory.h"

#include <stdexcept>

namespace comet::engine {

namespace {

// arch gpt2: HF Trainer's parameter groups, weight decay on the weight matrices and embeddings
// only, none on biases and LayerNorm weights (for GPT-2 these are exactly the tensors of fewer
// than 2 dimensions, which is the rule peer_gpt.py and nanoGPT use too).
template <typename Options>
std::vector<torch::optim::OptimizerParamGroup> decay_groups(const std::vector<torch::Tensor>& ps,
                                                            const Options& options) {
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& p : ps) (p.dim() >= 2 ? decay : no_decay).push_back(p);
  auto without = std::make_unique<Options>(options);
  without->weight_decay(0.0);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<Options>(options));
  groups.emplace_back(no_decay, std::move(without));
  return groups;
}

template <typename Optimizer, typename Options>
std::unique_ptr<torch::optim::Optimizer> make_with(const std::vector<torch::Tensor>& parameters,
                                                   const Options& options, bool grouped) {
  if (!grouped) return std::make_unique<Optimizer>(parameters, options);
  return std::make_unique<Optimizer>(decay_groups(parameters, options), options);
}

}  // namespace

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const sweeps::TrialConfig& config,
                                                        std::vector<torch::Tensor> parameters) {
  const auto& name = config.text("optimizer");
  const double lr = config.real("lr");
  const double wd = config.real("weight_decay");
  const bool grouped = config.text("arch") == "gpt2";
  if (name == "sgd") {
    return make_with<torch::optim::SGD>(parameters, torch::optim::SGDOptions(lr).weight_decay(wd),
                                        grouped);
  }
  if (name == "sgd_momentum") {
    return make_with<torch::optim::SGD>(
        parameters, torch::optim::SGDOptions(lr).momentum(kSgdMomentum).weight_decay(wd), grouped);
  }
  if (name == "adam") {
    return make_with<torch::optim::Adam>(parameters, torch::optim::AdamOptions(lr).weight_decay(wd),
                                         grouped);
  }
  if (name == "adamw") {
    return make_with<torch::optim::AdamW>(parameters,
                                          torch::optim::AdamWOptions(lr).weight_decay(wd), grouped);
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
