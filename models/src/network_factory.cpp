#include <cmath>

#include <ATen/CPUGeneratorImpl.h>

#include "comet_routing.h"
#include "masked_mlp.h"

#include "comet/models/network.h"
#include "comet/models/seed_stream.h"

namespace comet::models {

std::int64_t kept_units(double p_k, std::int64_t width) {
  return static_cast<std::int64_t>(std::floor(p_k * static_cast<double>(width) + 1e-9));
}

const std::vector<std::string>& model_names() {
  static const std::vector<std::string> names = {"comet", "standard"};
  return names;
}

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names = {
      "tanh", "relu", "softplus", "gelu", "silu", "mish", "elu", "selu", "leaky_relu", "sigmoid"};
  return names;
}

namespace {

class MlpNetwork : public Network {
 public:
  MlpNetwork(NetworkConfig config, std::shared_ptr<MaskedMlp> module)
      : config_(std::move(config)), module_(std::move(module)) {}

  at::Tensor forward(const at::Tensor& x, const at::Tensor& example_ids) override {
    return module_->forward(x, example_ids);
  }
  std::vector<at::Tensor> trainable_parameters() override {
    std::vector<at::Tensor> out;
    for (auto& p : module_->parameters()) {
      if (p.requires_grad()) out.push_back(p);
    }
    return out;
  }
  std::int64_t trainable_parameter_count() override {
    std::int64_t count = 0;
    for (auto& p : trainable_parameters()) count += p.numel();
    return count;
  }
  void set_training(bool training) override { module_->train(training); }
  const NetworkConfig& config() const override { return config_; }

 private:
  NetworkConfig config_;
  std::shared_ptr<MaskedMlp> module_;
};

void check_shape(const NetworkConfig& c) {
  auto fail = [](const std::string& what) { throw ModelError(what); };
  if (c.input_dim < 1 || c.output_dim < 1) fail("input and output dimensions must be >= 1");
  if (c.width < 1) fail("width " + std::to_string(c.width) + " must be >= 1");
  if (c.depth < 2) fail("depth " + std::to_string(c.depth) + " must be >= 2 (hidden + output)");
  if (!(c.p_k > 0 && c.p_k <= 1)) fail("p_k " + std::to_string(c.p_k) + " must be in (0, 1]");
  if (kept_units(c.p_k, c.width) < 1) {
    fail("p_k " + std::to_string(c.p_k) + " x width " + std::to_string(c.width) +
         " keeps no unit; floor(p_k * width) must be >= 1");
  }
}

}  // namespace

std::unique_ptr<Network> make_network(const NetworkConfig& config, const std::string& device) {
  check_shape(config);
  std::vector<std::int64_t> dims{config.input_dim};
  for (std::int64_t l = 0; l + 1 < config.depth; ++l) dims.push_back(config.width);
  std::vector<std::int64_t> hidden_dims(dims);  // input + hidden widths: the routing net's shape
  dims.push_back(config.output_dim);

  auto backbone_gen =
      at::detail::createCPUGenerator(derive_seed(config.seed, SeedStream::backbone_init));
  auto routing_gen =
      at::detail::createCPUGenerator(derive_seed(config.seed, SeedStream::routing_init));

  std::shared_ptr<MaskPolicy> policy;
  if (config.model == "comet") {
    policy = std::make_shared<CometRouting>(hidden_dims, config.p_k, routing_gen);
  } else if (config.model == "standard") {
    policy = std::make_shared<NoMask>();
  } else {
    std::string allowed;
    for (const auto& n : model_names()) allowed += (allowed.empty() ? "" : ", ") + n;
    throw ModelError("unknown model '" + config.model + "'; allowed: " + allowed);
  }
  auto module = std::make_shared<MaskedMlp>(dims, make_activation(config.activation),
                                            std::move(policy), backbone_gen);
  try {
    module->to(torch::Device(device));
  } catch (const c10::Error& e) {
    throw ModelError("cannot place the model on device '" + device +
                     "': " + e.what_without_backtrace());
  }
  return std::make_unique<MlpNetwork>(config, std::move(module));
}

}  // namespace comet::models
