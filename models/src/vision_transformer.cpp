#include "vision_transformer.h"

#include "vision_parts.h"

namespace comet::models {

namespace {

torch::nn::LayerNorm vit_layer_norm(std::int64_t dim) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}));  // ones, zeros, eps 1e-5
}

}  // namespace

VisionTransformer::VisionTransformer(const VitShape& shape, const MlpFactory& make_mlp,
                                     at::Generator& generator)
    : shape_(shape) {
  const auto& s = shape_;
  const auto patches = (s.image_shape[1] / s.patch) * (s.image_shape[2] / s.patch);
  const auto patch_dim = s.image_shape[0] * s.patch * s.patch;
  patch_embedding_ =
      register_module("patch_embedding", make_linear(patch_dim, s.dim, true, generator));
  {
    torch::NoGradGuard no_grad;  // torch.randn, as the reference
    pos_embedding_ = register_parameter(
        "pos_embedding", torch::empty({1, patches + 1, s.dim}).normal_(0, 1, generator));
    cls_token_ =
        register_parameter("cls_token", torch::empty({1, 1, s.dim}).normal_(0, 1, generator));
  }
  for (std::int64_t l = 0; l < s.depth; ++l) {
    Block block;
    const std::string prefix = "block" + std::to_string(l) + "_";
    block.attention_norm = register_module(prefix + "attention_norm", vit_layer_norm(s.dim));
    block.attention = register_module(
        prefix + "attention",
        std::make_shared<SelfAttention>(s.dim, s.heads, s.dim_head, s.dropout, generator));
    block.mlp_norm = register_module(prefix + "mlp_norm", vit_layer_norm(s.dim));
    block.mlp = register_module(prefix + "mlp", make_mlp(l));
    blocks_.push_back(std::move(block));
  }
  head_norm_ = register_module("head_norm", vit_layer_norm(s.dim));
  head_ = register_module("head", make_linear(s.dim, s.classes, true, generator));
}

torch::Tensor VisionTransformer::embed(const torch::Tensor& x) {
  auto patches = image_patches(x, shape_.image_shape, shape_.patch);
  const auto b = patches.size(0), n = patches.size(1);
  auto tokens =
      torch::addmm(patch_embedding_->bias, patches.view({b * n, -1}), patch_embedding_->weight.t())
          .view({b, n, shape_.dim});
  auto t = torch::cat({cls_token_.expand({b, 1, shape_.dim}), tokens}, 1) + pos_embedding_;
  return apply_noise(t, dropout_noise(t, shape_.emb_dropout, is_training()));
}

// Pre-norm residuals: t + attention(LN(t)), then t + mlp(LN(t)) with the MLP per token.
torch::Tensor VisionTransformer::run_block(Block& block, const torch::Tensor& t) {
  auto u = t + block.attention->forward(block.attention_norm->forward(t));
  const auto rows = u.size(0) * u.size(1);
  auto mlp_out = block.mlp->forward(block.mlp_norm->forward(u).view({rows, shape_.dim}));
  return u + mlp_out.view(u.sizes());
}

torch::Tensor VisionTransformer::forward(const torch::Tensor& x) {
  auto t = embed(x);
  for (auto& block : blocks_) t = run_block(block, t);
  // pool = 'cls': only the cls token reaches the head.
  return head_->forward(head_norm_->forward(t.select(1, 0)));
}

torch::Tensor VisionTransformer::tokens_before(const torch::Tensor& x, std::int64_t block) {
  auto t = embed(x);
  for (std::int64_t l = 0; l < block; ++l) t = run_block(blocks_.at(l), t);
  return t;
}

}  // namespace comet::models
