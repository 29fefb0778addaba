#include "mlp_mixer.h"

#include "vision_parts.h"

namespace comet::models {

namespace {

torch::nn::LayerNorm mixer_layer_norm(std::int64_t dim) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}));  // ones, zeros, eps 1e-5
}

}  // namespace

MlpMixer::MlpMixer(const MixerShape& shape, const MlpFactory& make_token_mlp,
                   const MlpFactory& make_channel_mlp, at::Generator& generator)
    : shape_(shape) {
  const auto& s = shape_;
  const auto patch_dim = s.image_shape[0] * s.patch * s.patch;
  patch_embedding_ =
      register_module("patch_embedding", make_linear(patch_dim, s.dim, true, generator));
  for (std::int64_t l = 0; l < s.depth; ++l) {
    Block block;
    const std::string prefix = "block" + std::to_string(l) + "_";
    block.token_norm = register_module(prefix + "token_norm", mixer_layer_norm(s.dim));
    block.token_mlp = register_module(prefix + "token_mlp", make_token_mlp(l));
    block.channel_norm = register_module(prefix + "channel_norm", mixer_layer_norm(s.dim));
    block.channel_mlp = register_module(prefix + "channel_mlp", make_channel_mlp(l));
    blocks_.push_back(std::move(block));
  }
  head_norm_ = register_module("head_norm", mixer_layer_norm(s.dim));
  head_ = register_module("head", make_linear(s.dim, s.classes, true, generator));
}

torch::Tensor MlpMixer::forward(const torch::Tensor& x) {
  auto patches = image_patches(x, shape_.image_shape, shape_.patch);
  const auto b = patches.size(0), n = patches.size(1), d = shape_.dim;
  auto t =
      torch::addmm(patch_embedding_->bias, patches.view({b * n, -1}), patch_embedding_->weight.t())
          .view({b, n, d});
  for (auto& block : blocks_) {
    // Token mixing: each (example, channel) column of LN(t) over the n patches is one row.
    auto columns = block.token_norm->forward(t).transpose(1, 2).reshape({b * d, n});
    t = t + block.token_mlp->forward(columns).view({b, d, n}).transpose(1, 2);
    // Channel mixing: each (example, patch) token is one row.
    auto rows = block.channel_norm->forward(t).view({b * n, d});
    t = t + block.channel_mlp->forward(rows).view({b, n, d});
  }
  // LayerNorm, mean over the patches, Linear.
  return head_->forward(head_norm_->forward(t).mean(1));
}

}  // namespace comet::models
