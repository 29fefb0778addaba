#include "gpt2_network.h"

#include <algorithm>

#include <ATen/CPUGeneratorImpl.h>

#include "comet_routing.h"
#include "dropout_mask.h"
#include "gpt2_model.h"
#include "module_network.h"
#include "topk_cap.h"
#include "vision_network.h"
#include "vision_parts.h"

#include "comet/models/seed_stream.h"

namespace comet::models {

namespace {

std::int64_t gpt2_mlp_width(const NetworkConfig& c) {
  return c.model == "smaller" ? kept_units(c.p_k, c.width) : c.width;
}

// Tokens as given (int64 [batch, T]), or any other dtype's values converted: a trainer that
// keeps blocks as floats still names the same ids.
torch::Tensor as_token_ids(const torch::Tensor& tokens, std::int64_t block_size) {
  if (tokens.dim() != 2 || tokens.size(1) < 1 || tokens.size(1) > block_size) {
    throw ModelError("arch gpt2 takes token blocks [batch, T] with 1 <= T <= block_size " +
                     std::to_string(block_size) + "; got " + std::to_string(tokens.dim()) +
                     " dimension(s)" +
                     (tokens.dim() == 2 ? ", T " + std::to_string(tokens.size(1)) : ""));
  }
  return tokens.scalar_type() == torch::kInt64 ? tokens : tokens.to(torch::kInt64);
}

class Gpt2Network : public ModuleNetwork {
 public:
  Gpt2Network(NetworkConfig config, std::shared_ptr<Gpt2Model> model)
      : ModuleNetwork(std::move(config), model), model_(std::move(model)) {}

  at::Tensor forward(const at::Tensor& tokens, const at::Tensor&) override {
    return model_->logits(as_token_ids(tokens, config_.block_size));
  }
  at::Tensor forward(const at::Tensor& tokens, const at::Tensor& ids,
                     const std::vector<at::Tensor>* masks) override {
    if (masks != nullptr && !masks->empty()) {
      throw ModelError("arch gpt2 computes its masks from each block's input; none can be given");
    }
    return forward(tokens, ids);
  }
  at::Tensor next_token_loss(const at::Tensor& tokens) override {
    const auto ids = as_token_ids(tokens, config_.block_size);
    if (ids.size(1) < 2) {
      throw ModelError("next-token loss needs blocks of T >= 2 tokens; got T " +
                       std::to_string(ids.size(1)));
    }
    return model_->next_token_loss(ids);
  }

 private:
  std::shared_ptr<Gpt2Model> model_;
};

// The MLP of a block: c_fc dim -> width, the activation, the policy's mask, c_proj width -> dim,
// the residual dropout; GPT-2's init, drawn from the backbone generator.
std::shared_ptr<TokenMlp> make_gpt2_mlp(const NetworkConfig& c, at::Generator& backbone_gen,
                                        at::Generator& routing_gen) {
  const auto k = kept_units(c.p_k, c.width);
  std::shared_ptr<MaskPolicy> policy;
  if (c.model == "comet") {
    // The fixed routing projection V [width, dim] per block, a buffer (HF's counts hold).
    policy = std::make_shared<CometRouting>(std::vector<std::int64_t>{c.dim, c.width}, c.p_k,
                                            routing_gen);
  } else if (c.model == "topk") {
    policy = std::make_shared<TopkCap>(std::vector<std::int64_t>{k}, c.topk_on == "pre_activation");
  } else if (c.model == "dropout") {
    policy = std::make_shared<DropoutMask>(c.p_k);
  } else {
    policy = std::make_shared<NoMask>();  // standard, smaller
  }
  const auto width = gpt2_mlp_width(c);
  TokenMlpLayers layers;
  layers.fc1 = make_gpt2_linear(c.dim, width, kGpt2InitStd, backbone_gen);
  layers.fc2 = make_gpt2_linear(width, c.dim, gpt2_residual_projection_std(c.depth), backbone_gen);
  return std::make_shared<TokenMlp>(std::move(layers), make_activation(c.activation), policy,
                                    /*hidden_dropout=*/0.0, c.dropout);
}

}  // namespace

void check_gpt2_config(const NetworkConfig& c) {
  auto fail = [](const std::string& what) { throw ModelError(what); };
  check_per_token_model(c);  // messages name c.arch, "gpt2" here
  const std::pair<const char*, std::int64_t> sizes[] = {
      {"dim", c.dim},     {"depth", c.depth},           {"heads", c.heads},
      {"width", c.width}, {"block_size", c.block_size}, {"vocab", c.vocab}};
  for (const auto& [name, value] : sizes) {
    if (value < 1) fail(std::string(name) + " " + std::to_string(value) + " must be >= 1");
  }
  if (c.dim % c.heads != 0) {
    fail("dim " + std::to_string(c.dim) + " is not a multiple of heads " + std::to_string(c.heads) +
         "; each head takes dim / heads columns");
  }
  if (c.input_dim != c.block_size) {
    fail("input_dim " + std::to_string(c.input_dim) + " must equal block_size " +
         std::to_string(c.block_size) + " for arch gpt2");
  }
  if (c.output_dim != c.vocab) {
    fail("output_dim " + std::to_string(c.output_dim) + " must equal vocab " +
         std::to_string(c.vocab) + " for arch gpt2");
  }
  if (!(c.dropout >= 0 && c.dropout < 1)) {
    fail("dropout " + std::to_string(c.dropout) + " must be in [0, 1)");
  }
  if (!(c.p_k > 0 && c.p_k <= 1)) fail("p_k " + std::to_string(c.p_k) + " must be in (0, 1]");
  if (kept_units(c.p_k, c.width) < 1) {
    fail("p_k " + std::to_string(c.p_k) + " x width " + std::to_string(c.width) +
         " keeps no unit; floor(p_k * width) must be >= 1");
  }
  if (c.topk_on != "pre_activation" && c.topk_on != "post_activation") {
    fail("topk ranking '" + c.topk_on + "'; allowed: pre_activation, post_activation");
  }
  make_activation(c.activation);  // ModelError for an unknown name
}

std::int64_t gpt2_parameter_count(const NetworkConfig& c) {
  const auto d = c.dim, w = gpt2_mlp_width(c);
  const auto block = 2 * (2 * d)                                    // ln_1, ln_2
                     + (d * 3 * d + 3 * d)                          // c_attn
                     + (d * d + d)                                  // attention's c_proj
                     + (d * w + w) + (w * d + d);                   // c_fc, the MLP's c_proj
  return c.vocab * d + c.block_size * d + c.depth * block + 2 * d;  // wte, wpe, blocks, ln_f
}

std::unique_ptr<Network> make_gpt2_network(const NetworkConfig& c, const std::string& device) {
  check_gpt2_config(c);
  keep_freed_memory_for_reuse();
  auto backbone_gen =
      at::detail::createCPUGenerator(derive_seed(c.seed, SeedStream::backbone_init));
  auto routing_gen = at::detail::createCPUGenerator(derive_seed(c.seed, SeedStream::routing_init));
  const Gpt2Shape shape{c.vocab, c.block_size, c.dim, c.depth, c.heads, c.dropout};
  auto model = std::make_shared<Gpt2Model>(
      shape, [&](std::int64_t) { return make_gpt2_mlp(c, backbone_gen, routing_gen); },
      backbone_gen);
  try {
    model->to(torch::Device(device));
  } catch (const c10::Error& e) {
    throw ModelError("cannot place the model on device '" + device +
                     "': " + e.what_without_backtrace());
  }
  return std::make_unique<Gpt2Network>(c, std::move(model));
}

}  // namespace comet::models
