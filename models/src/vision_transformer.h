#pragma once
// Private to models/. lucidrains' ViT as the paper's base repository (kentaroy47/
// vision-transformers-cifar10, models/vit.py) has it, with every block's MLP a TokenMlp, so
// the masking policies (comet, topk, ...) act per token. docs/models.md, "vit".

#include <functional>
#include <memory>
#include <vector>

#include "self_attention.h"
#include "token_mlp.h"

namespace comet::models {

struct VitShape {
  std::vector<std::int64_t> image_shape;  // {C, H, W}
  std::int64_t patch = 4;
  std::int64_t dim = 512;
  std::int64_t depth = 6;
  std::int64_t heads = 8;
  std::int64_t dim_head = 64;
  std::int64_t classes = 10;
  double dropout = 0.1;
  double emb_dropout = 0.1;
};

class VisionTransformer : public torch::nn::Module {
 public:
  // One TokenMlp per block from make_mlp(block); every other weight from `generator` in the
  // reference's order (embedding, pos, cls, then per block attention, MLP; the head).
  using MlpFactory = std::function<std::shared_ptr<TokenMlp>(std::int64_t block)>;
  VisionTransformer(const VitShape& shape, const MlpFactory& make_mlp, at::Generator& generator);

  // x: [batch, C*H*W] or [batch, C, H, W] -> logits [batch, classes].
  torch::Tensor forward(const torch::Tensor& x);

  std::int64_t depth() const { return static_cast<std::int64_t>(blocks_.size()); }
  SelfAttention& attention(std::int64_t block) { return *blocks_.at(block).attention; }
  TokenMlp& mlp(std::int64_t block) { return *blocks_.at(block).mlp; }
  // The tokens entering block `block` (cls first, then the patches) for x, [batch, 1 + n, dim].
  torch::Tensor tokens_before(const torch::Tensor& x, std::int64_t block);

 private:
  struct Block {
    torch::nn::LayerNorm attention_norm{nullptr}, mlp_norm{nullptr};
    std::shared_ptr<SelfAttention> attention;
    std::shared_ptr<TokenMlp> mlp;
  };
  torch::Tensor embed(const torch::Tensor& x);
  torch::Tensor run_block(Block& block, const torch::Tensor& t);

  VitShape shape_;
  torch::nn::Linear patch_embedding_{nullptr}, head_{nullptr};
  torch::Tensor pos_embedding_, cls_token_;
  std::vector<Block> blocks_;
  torch::nn::LayerNorm head_norm_{nullptr};
};

}  // namespace comet::models
