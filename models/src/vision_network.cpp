#include "vision_network.h"

#include <algorithm>

#include <ATen/CPUGeneratorImpl.h>

#include "comet_routing.h"
#include "dropout_mask.h"
#include "mlp_mixer.h"
#include "module_network.h"
#include "topk_cap.h"
#include "vision_parts.h"
#include "vision_transformer.h"

#include "comet/models/seed_stream.h"

namespace comet::models {

const std::vector<std::string>& per_token_model_names() {
  static const std::vector<std::string> names = {"comet", "standard", "smaller", "topk", "dropout"};
  return names;
}

std::int64_t mixer_token_width(const NetworkConfig& c) {
  if (c.token_width > 0) return c.token_width;
  return 4 * (c.image_shape[1] / c.patch) * (c.image_shape[2] / c.patch);  // expansion_factor 4
}

namespace {

std::string vision_joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// forward(x) of the module; masks cannot be given (they depend on each block's input).
class VisionNetwork : public ModuleNetwork {
 public:
  using Forward = std::function<torch::Tensor(const torch::Tensor&)>;
  VisionNetwork(NetworkConfig config, std::shared_ptr<torch::nn::Module> module, Forward forward)
      : ModuleNetwork(std::move(config), std::move(module)), forward_(std::move(forward)) {}

  at::Tensor forward(const at::Tensor& x, const at::Tensor&) override { return forward_(x); }
  at::Tensor forward(const at::Tensor& x, const at::Tensor&,
                     const std::vector<at::Tensor>* masks) override {
    if (masks != nullptr && !masks->empty()) {
      throw ModelError("arch '" + config_.arch +
                       "' computes its masks from each block's input; none can be given");
    }
    return forward_(x);
  }

 private:
  Forward forward_;
};

// The MLP of a block: in -> hidden -> in with the config's policy on its hidden units.
std::shared_ptr<TokenMlp> make_token_mlp(const NetworkConfig& c, std::int64_t in,
                                         std::int64_t hidden, at::Generator& backbone_gen,
                                         at::Generator& routing_gen) {
  const auto k = kept_units(c.p_k, hidden);
  std::shared_ptr<MaskPolicy> policy;
  if (c.model == "comet") {
    policy =
        std::make_shared<CometRouting>(std::vector<std::int64_t>{in, hidden}, c.p_k, routing_gen);
  } else if (c.model == "topk") {
    policy = std::make_shared<TopkCap>(std::vector<std::int64_t>{k}, c.topk_on == "pre_activation");
  } else if (c.model == "dropout") {
    policy = std::make_shared<DropoutMask>(c.p_k);
  } else {
    policy = std::make_shared<NoMask>();  // standard, smaller
  }
  return std::make_shared<TokenMlp>(in, c.model == "smaller" ? k : hidden,
                                    make_activation(c.activation), policy, c.dropout, backbone_gen);
}

}  // namespace

void check_per_token_model(const NetworkConfig& c) {
  const auto& allowed = per_token_model_names();
  if (std::find(allowed.begin(), allowed.end(), c.model) != allowed.end()) return;
  const auto& all = model_names();
  if (std::find(all.begin(), all.end(), c.model) == all.end()) {
    throw ModelError("unknown model '" + c.model + "'; arch '" + c.arch +
                     "' allows: " + vision_joined(allowed));
  }
  throw ModelError("model '" + c.model + "' is not defined per token; arch '" + c.arch +
                   "' allows: " + vision_joined(allowed));
}

void check_vision_config(const NetworkConfig& c) {
  auto fail = [](const std::string& what) { throw ModelError(what); };
  check_per_token_model(c);
  const auto& s = c.image_shape;
  if (s.size() != 3 || std::any_of(s.begin(), s.end(), [](auto v) { return v < 1; })) {
    fail("arch '" + c.arch + "' needs image_shape {channels, height, width}, 3 positive values");
  }
  if (c.input_dim != s[0] * s[1] * s[2]) {
    fail("input_dim " + std::to_string(c.input_dim) +
         " is not channels x height x width = " + std::to_string(s[0] * s[1] * s[2]));
  }
  if (c.output_dim < 1) fail("output_dim must be >= 1");
  if (c.patch < 1 || s[1] % c.patch != 0 || s[2] % c.patch != 0) {
    fail("patch " + std::to_string(c.patch) + " must divide the image's height " +
         std::to_string(s[1]) + " and width " + std::to_string(s[2]));
  }
  const std::pair<const char*, std::int64_t> sizes[] = {{"dim", c.dim},
                                                        {"heads", c.heads},
                                                        {"dim_head", c.dim_head},
                                                        {"width", c.width},
                                                        {"depth", c.depth}};
  for (const auto& [name, value] : sizes) {
    if (value < 1) fail(std::string(name) + " " + std::to_string(value) + " must be >= 1");
  }
  if (c.token_width < 0) fail("token_width " + std::to_string(c.token_width) + " must be >= 0");
  for (double p : {c.dropout, c.emb_dropout}) {
    if (!(p >= 0 && p < 1)) fail("dropout " + std::to_string(p) + " must be in [0, 1)");
  }
  if (!(c.p_k > 0 && c.p_k <= 1)) fail("p_k " + std::to_string(c.p_k) + " must be in (0, 1]");
  std::vector<std::int64_t> hidden{c.width};
  if (c.arch == "mixer") hidden.push_back(mixer_token_width(c));
  for (auto h : hidden) {
    if (kept_units(c.p_k, h) < 1) {
      fail("p_k " + std::to_string(c.p_k) + " x " + std::to_string(h) +
           " hidden units keeps no unit; floor(p_k * units) must be >= 1");
    }
  }
  if (c.topk_on != "pre_activation" && c.topk_on != "post_activation") {
    fail("topk ranking '" + c.topk_on + "'; allowed: pre_activation, post_activation");
  }
  make_activation(c.activation);  // ModelError for an unknown name
}

std::unique_ptr<Network> make_vision_network(const NetworkConfig& c, const std::string& device) {
  check_vision_config(c);
  keep_freed_memory_for_reuse();
  auto backbone_gen =
      at::detail::createCPUGenerator(derive_seed(c.seed, SeedStream::backbone_init));
  auto routing_gen = at::detail::createCPUGenerator(derive_seed(c.seed, SeedStream::routing_init));
  std::shared_ptr<torch::nn::Module> module;
  VisionNetwork::Forward forward;
  if (c.arch == "vit") {
    VitShape shape{c.image_shape, c.patch,      c.dim,     c.depth,      c.heads,
                   c.dim_head,    c.output_dim, c.dropout, c.emb_dropout};
    auto vit = std::make_shared<VisionTransformer>(
        shape,
        [&](std::int64_t) { return make_token_mlp(c, c.dim, c.width, backbone_gen, routing_gen); },
        backbone_gen);
    forward = [vit](const torch::Tensor& x) { return vit->forward(x); };
    module = vit;
  } else {
    MixerShape shape{c.image_shape, c.patch, c.dim, c.depth, c.output_dim};
    const auto patches = (c.image_shape[1] / c.patch) * (c.image_shape[2] / c.patch);
    auto mixer = std::make_shared<MlpMixer>(
        shape,
        [&](std::int64_t) {
          return make_token_mlp(c, patches, mixer_token_width(c), backbone_gen, routing_gen);
        },
        [&](std::int64_t) { return make_token_mlp(c, c.dim, c.width, backbone_gen, routing_gen); },
        backbone_gen);
    forward = [mixer](const torch::Tensor& x) { return mixer->forward(x); };
    module = mixer;
  }
  try {
    module->to(torch::Device(device));
  } catch (const c10::Error& e) {
    throw ModelError("cannot place the model on device '" + device +
                     "': " + e.what_without_backtrace());
  }
  return std::make_unique<VisionNetwork>(c, std::move(module), std::move(forward));
}

}  // namespace comet::models
