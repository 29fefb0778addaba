#pragma once
// Private to models/. lucidrains' MLP-Mixer as the paper's base repository (kentaroy47/
// vision-transformers-cifar10, models/mlpmixer.py) has it, with both MLPs of every block
// TokenMlps: token mixing over the patch axis (lucidrains' Conv1d with kernel 1: a Linear over
// the patches, one row per (example, channel)) and channel mixing over dim (one row per
// (example, patch)). docs/models.md, "mixer".

#include <functional>
#include <memory>
#include <vector>

#include "token_mlp.h"

namespace comet::models {

struct MixerShape {
  std::vector<std::int64_t> image_shape;  // {C, H, W}
  std::int64_t patch = 4;
  std::int64_t dim = 512;
  std::int64_t depth = 6;
  std::int64_t classes = 10;
};

class MlpMixer : public torch::nn::Module {
 public:
  // make_token_mlp(block) is a TokenMlp over the patch axis (in = patches), make_channel_mlp
  // (block) one over dim; the other weights are drawn from `generator` in the reference's
  // order (embedding; per block token, channel MLP; head).
  using MlpFactory = std::function<std::shared_ptr<TokenMlp>(std::int64_t block)>;
  MlpMixer(const MixerShape& shape, const MlpFactory& make_token_mlp,
           const MlpFactory& make_channel_mlp, at::Generator& generator);

  // x: [batch, C*H*W] or [batch, C, H, W] -> logits [batch, classes].
  torch::Tensor forward(const torch::Tensor& x);

  TokenMlp& token_mlp(std::int64_t block) { return *blocks_.at(block).token_mlp; }
  TokenMlp& channel_mlp(std::int64_t block) { return *blocks_.at(block).channel_mlp; }

 private:
  struct Block {
    torch::nn::LayerNorm token_norm{nullptr}, channel_norm{nullptr};
    std::shared_ptr<TokenMlp> token_mlp, channel_mlp;
  };

  MixerShape shape_;
  torch::nn::Linear patch_embedding_{nullptr}, head_{nullptr};
  std::vector<Block> blocks_;
  torch::nn::LayerNorm head_norm_{nullptr};
};

}  // namespace comet::models
