// make_network: the model name and options -> a backbone with its mask policy, or the MoE.

#include <algorithm>
#include <cmath>

#include <ATen/CPUGeneratorImpl.h>

#include "comet_routing.h"
#include "dropout_mask.h"
#include "gpt2_network.h"
#include "masked_mlp.h"
#include "mixture_of_experts.h"
#include "module_network.h"
#include "per_example_masks.h"
#include "topk_cap.h"
#include "vision_network.h"

#include "comet/models/network.h"
#include "comet/models/seed_stream.h"

namespace comet::models {

std::int64_t kept_units(double p_k, std::int64_t width) {
  return static_cast<std::int64_t>(std::floor(p_k * static_cast<double>(width) + 1e-9));
}

const std::vector<std::string>& model_names() {
  static const std::vector<std::string> names = {
      "comet",     "standard",  "smaller",   "dropout",      "topk", "moe",
      "moe_fixed", "layerwise", "bernoulli", "example_tied", "l1"};
  return names;
}

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names = {"tanh",       "relu",    "softplus", "gelu",
                                                 "silu",       "mish",    "elu",      "selu",
                                                 "leaky_relu", "sigmoid", "gelu_new"};
  return names;
}

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

class BackboneNetwork : public ModuleNetwork {
 public:
  BackboneNetwork(NetworkConfig config, std::shared_ptr<MaskedMlp> mlp, double l1_lambda)
      : ModuleNetwork(std::move(config), mlp), mlp_(std::move(mlp)), l1_lambda_(l1_lambda) {}

  at::Tensor forward(const at::Tensor& x, const at::Tensor& example_ids) override {
    return mlp_->forward(x, example_ids);
  }
  at::Tensor forward(const at::Tensor& x, const at::Tensor& example_ids,
                     const std::vector<at::Tensor>* masks) override {
    return mlp_->forward(x, example_ids, nullptr, masks);
  }
  bool masks_depend_only_on_input() const override {
    const auto* routing = dynamic_cast<const CometRouting*>(&mlp_->policy());
    return routing != nullptr && routing->masks_depend_only_on_input();
  }
  std::vector<at::Tensor> input_masks(const at::Tensor& x) override {
    if (!masks_depend_only_on_input()) return {};
    return static_cast<const CometRouting&>(mlp_->policy()).input_masks(x);
  }
  bool has_fused_sgd_step() const override { return l1_lambda_ <= 0 && mlp_->has_plain_layers(); }
  at::Tensor sgd_step(const at::Tensor& x, const at::Tensor& example_ids,
                      const std::vector<at::Tensor>* masks, const OutputGradient& output_gradient,
                      const SgdUpdate& update) override {
    return mlp_->sgd_step(x, example_ids, masks, output_gradient, update);
  }
  void trace(const at::Tensor& x, const at::Tensor& example_ids, MaskedMlp::Trace& out) {
    torch::NoGradGuard no_grad;
    mlp_->forward(x, example_ids, &out);
  }
  // `l1`: lambda * sum of |W_l| over every weight matrix, the output layer's included; biases
  // and norm parameters are not penalised.
  at::Tensor penalty() override {
    if (l1_lambda_ <= 0) return {};
    auto total = mlp_->layers().front()->weight.abs().sum();
    for (std::size_t l = 1; l < mlp_->layers().size(); ++l) {
      total = total + mlp_->layers()[l]->weight.abs().sum();
    }
    return total * l1_lambda_;
  }

 private:
  std::shared_ptr<MaskedMlp> mlp_;
  double l1_lambda_;
};

class MixtureNetwork : public ModuleNetwork {
 public:
  MixtureNetwork(NetworkConfig config, std::shared_ptr<MixtureOfExperts> moe)
      : ModuleNetwork(std::move(config), moe), moe_(std::move(moe)) {}
  at::Tensor forward(const at::Tensor& x, const at::Tensor&) override { return moe_->forward(x); }
  at::Tensor forward(const at::Tensor& x, const at::Tensor&,
                     const std::vector<at::Tensor>*) override {
    return moe_->forward(x);
  }

 private:
  std::shared_ptr<MixtureOfExperts> moe_;
};

void check_config(const NetworkConfig& c) {
  auto fail = [](const std::string& what) { throw ModelError(what); };
  const auto& models = model_names();
  if (std::find(models.begin(), models.end(), c.model) == models.end()) {
    fail("unknown model '" + c.model + "'; allowed: " + joined(models));
  }
  if (c.input_dim < 1 || c.output_dim < 1) fail("input and output dimensions must be >= 1");
  if (c.width < 1) fail("width " + std::to_string(c.width) + " must be >= 1");
  if (c.depth < 2) fail("depth " + std::to_string(c.depth) + " must be >= 2 (hidden + output)");
  if (!(c.p_k > 0 && c.p_k <= 1)) fail("p_k " + std::to_string(c.p_k) + " must be in (0, 1]");
  if (kept_units(c.p_k, c.width) < 1) {
    fail("p_k " + std::to_string(c.p_k) + " x width " + std::to_string(c.width) +
         " keeps no unit; floor(p_k * width) must be >= 1");
  }
  if (!c.hidden_widths.empty()) {
    if (c.model != "comet") {
      fail("one width per hidden layer is for model comet only, not '" + c.model + "'");
    }
    if (static_cast<std::int64_t>(c.hidden_widths.size()) != c.depth - 1) {
      fail(std::to_string(c.hidden_widths.size()) + " hidden widths for depth " +
           std::to_string(c.depth) + "; allowed: depth - 1 of them");
    }
    for (const auto w : c.hidden_widths) {
      if (kept_units(c.p_k, w) < 1) {
        fail("p_k " + std::to_string(c.p_k) + " x hidden width " + std::to_string(w) +
             " keeps no unit; floor(p_k * width) must be >= 1");
      }
    }
  }
  if (c.mask_p != -1 && !(c.mask_p > 0 && c.mask_p <= 1)) {
    fail("mask keep probability " + std::to_string(c.mask_p) + " must be in (0, 1]");
  }
  if (c.moe_gate != "scaled" && c.moe_gate != "hard_unscaled") {
    fail("moe gate '" + c.moe_gate + "'; allowed: scaled, hard_unscaled");
  }
  if (c.topk_on != "pre_activation" && c.topk_on != "post_activation") {
    fail("topk ranking '" + c.topk_on + "'; allowed: pre_activation, post_activation");
  }
}

std::shared_ptr<MaskPolicy> make_policy(const NetworkConfig& c,
                                        const std::vector<std::int64_t>& hidden_dims,
                                        at::Generator& routing_gen) {
  const auto k = kept_units(c.p_k, c.width);
  const auto example_seed = derive_seed(c.seed, SeedStream::example_masks);
  if (c.model == "comet") return std::make_shared<CometRouting>(hidden_dims, c.p_k, routing_gen);
  if (c.model == "layerwise") {
    return std::make_shared<CometRouting>(hidden_dims, c.p_k, routing_gen,
                                          CometRouting::Source::backbone);
  }
  if (c.model == "topk") {
    return std::make_shared<TopkCap>(std::vector<std::int64_t>(hidden_dims.size() - 1, k),
                                     c.topk_on == "pre_activation");
  }
  if (c.model == "dropout") return std::make_shared<DropoutMask>(c.p_k);
  if (c.model == "bernoulli") {
    return std::make_shared<BernoulliMask>(example_seed, c.mask_p > 0 ? c.mask_p : c.p_k);
  }
  if (c.model == "example_tied") {
    return std::make_shared<ExampleTiedMask>(example_seed, c.mask_p > 0 ? c.mask_p : 0.2, k);
  }
  return std::make_shared<NoMask>();  // standard, smaller, l1
}

std::shared_ptr<torch::nn::Module> build_module(const NetworkConfig& c) {
  auto backbone_gen =
      at::detail::createCPUGenerator(derive_seed(c.seed, SeedStream::backbone_init));
  auto routing_gen = at::detail::createCPUGenerator(derive_seed(c.seed, SeedStream::routing_init));
  const auto k = kept_units(c.p_k, c.width);
  if (c.model == "moe" || c.model == "moe_fixed") {
    MixtureShape shape;
    shape.input_dim = c.input_dim;
    shape.output_dim = c.output_dim;
    shape.experts = static_cast<std::int64_t>(std::floor(1.0 / c.p_k + 1e-9));
    shape.expert_width = k;
    shape.depth = c.depth;
    shape.router_width = k;
    return std::make_shared<MixtureOfExperts>(shape, make_activation(c.activation), c.norm,
                                              c.model == "moe", c.moe_gate == "scaled",
                                              backbone_gen, routing_gen);
  }
  const auto width = c.model == "smaller" ? k : c.width;
  std::vector<std::int64_t> dims{c.input_dim};
  for (std::int64_t l = 0; l + 1 < c.depth; ++l) {
    dims.push_back(c.hidden_widths.empty() ? width : c.hidden_widths[static_cast<std::size_t>(l)]);
  }
  std::vector<std::int64_t> hidden_dims(dims);  // input + hidden widths: the routing net's shape
  dims.push_back(c.output_dim);
  return std::make_shared<MaskedMlp>(dims, make_activation(c.activation),
                                     make_policy(c, hidden_dims, routing_gen), backbone_gen,
                                     c.norm);
}

}  // namespace

void trace_hidden(Network& network, const at::Tensor& x, const at::Tensor& example_ids,
                  std::vector<at::Tensor>& masks, std::vector<at::Tensor>& activations) {
  if (network.config().arch != "mlp") {
    throw ModelError("arch '" + network.config().arch +
                     "' masks every token of every block's MLP; hidden layers are traced for "
                     "arch mlp only");
  }
  auto* backbone = dynamic_cast<BackboneNetwork*>(&network);
  if (backbone == nullptr) {
    throw ModelError("model '" + network.config().model +
                     "' has no single backbone whose hidden layers could be traced");
  }
  MaskedMlp::Trace trace;
  backbone->trace(x, example_ids, trace);
  masks = std::move(trace.masks);
  activations = std::move(trace.activations);
}

at::Tensor Network::next_token_loss(const at::Tensor& /*tokens*/) {
  throw ModelError("arch '" + config().arch +
                   "' is not a language model; next-token loss needs arch gpt2");
}

std::unique_ptr<Network> make_network(const NetworkConfig& config, const std::string& device) {
  if (config.arch == "vit" || config.arch == "mixer") return make_vision_network(config, device);
  if (config.arch == "gpt2") return make_gpt2_network(config, device);
  if (config.arch != "mlp") {
    throw ModelError("unknown arch '" + config.arch + "'; allowed: mlp, vit, mixer, gpt2");
  }
  check_config(config);
  auto module = build_module(config);
  try {
    module->to(torch::Device(device));
  } catch (const c10::Error& e) {
    throw ModelError("cannot place the model on device '" + device +
                     "': " + e.what_without_backtrace());
  }
  if (auto moe = std::dynamic_pointer_cast<MixtureOfExperts>(module)) {
    return std::make_unique<MixtureNetwork>(config, std::move(moe));
  }
  return std::make_unique<BackboneNetwork>(config,
                                           std::static_pointer_cast<MaskedMlp>(std::move(module)),
                                           config.model == "l1" ? config.l1_lambda : 0.0);
}

}  // namespace comet::models
