#pragma once
// Private to models/. What every Network shares: a torch module, its trainable parameters
// (buffers such as routing matrices are not), its mode and its checkpoint.

#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "comet/models/network.h"

namespace comet::models {

class ModuleNetwork : public Network {
 public:
  ModuleNetwork(NetworkConfig config, std::shared_ptr<torch::nn::Module> module)
      : config_(std::move(config)), module_(std::move(module)) {}

  at::Tensor penalty() override { return {}; }
  bool masks_depend_only_on_input() const override { return false; }
  std::vector<at::Tensor> input_masks(const at::Tensor&) override { return {}; }
  bool has_fused_sgd_step() const override { return false; }
  at::Tensor sgd_step(const at::Tensor&, const at::Tensor&, const std::vector<at::Tensor>*,
                      const OutputGradient&, const SgdUpdate&) override {
    throw std::logic_error("model '" + config_.model + "' has no fused SGD step");
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
  void save(torch::serialize::OutputArchive& archive) const override { module_->save(archive); }
  void load(torch::serialize::InputArchive& archive) override { module_->load(archive); }

 protected:
  NetworkConfig config_;
  std::shared_ptr<torch::nn::Module> module_;
};

}  // namespace comet::models
