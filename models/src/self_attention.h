#pragma once
// Private to models/ (and its tests). lucidrains' ViT Attention: multi-head self-attention
// with to_qkv = Linear(dim, 3 heads dim_head, bias=False), softmax(q k^T dim_head^-1/2) v, and
// to_out = Linear(heads dim_head, dim) + Dropout, or nothing when heads == 1 and
// dim_head == dim (lucidrains' project_out). No dropout on the attention weights (the
// reference repository's vit.py has none).

#include <array>

#include <torch/torch.h>

namespace comet::models {

class SelfAttention : public torch::nn::Module {
 public:
  SelfAttention(std::int64_t dim, std::int64_t heads, std::int64_t dim_head, double dropout,
                at::Generator& generator);

  // x: [batch, tokens, dim] -> [batch, tokens, dim].
  torch::Tensor forward(const torch::Tensor& x);
  // softmax(q k^T / sqrt(dim_head)) for x: [batch, heads, tokens, tokens]; every row sums to 1.
  torch::Tensor weights(const torch::Tensor& x);

 private:
  // {out [batch * tokens, heads * dim_head], softmax weights [batch * heads, tokens, tokens]}.
  std::array<torch::Tensor, 2> attend(const torch::Tensor& x);

  std::int64_t heads_, dim_head_;
  double dropout_;
  torch::nn::Linear to_qkv_{nullptr}, to_out_{nullptr};
};

}  // namespace comet::models
