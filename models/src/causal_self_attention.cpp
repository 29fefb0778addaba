#include "causal_self_attention.h"

#include <cmath>
#include <limits>

#include "vision_parts.h"

namespace comet::models {

CausalSelfAttention::CausalSelfAttention(std::int64_t heads, torch::nn::Linear c_attn,
                                         torch::nn::Linear c_proj, double dropout)
    : heads_(heads),
      dropout_(dropout),
      c_attn_(register_module("c_attn", std::move(c_attn))),
      c_proj_(register_module("c_proj", std::move(c_proj))) {}

torch::Tensor causal_mask(std::int64_t tokens, const torch::Device& device) {
  return torch::ones({tokens, tokens}, torch::TensorOptions().dtype(torch::kBool).device(device))
      .triu_(1);
}

std::array<torch::Tensor, 3> CausalSelfAttention::project(const torch::Tensor& x) {
  const auto b = x.size(0), n = x.size(1), dim = x.size(2);
  auto qkv = torch::addmm(c_attn_->bias, x.reshape({b * n, dim}), c_attn_->weight.t());
  // [b n, (3 h d)] -> [3, b, h, n, d]: HF's split into q, k, v, then _split_heads.
  auto parts = qkv.view({b, n, 3, heads_, dim / heads_}).permute({2, 0, 3, 1, 4});
  return {parts[0], parts[1], parts[2]};
}

torch::Tensor CausalSelfAttention::attention(const torch::Tensor& q, const torch::Tensor& k,
                                             const torch::Tensor& later_positions) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  // HF fills masked scores with the dtype's lowest value; -inf gives the same softmax, since
  // every row keeps its own position.
  auto scores = torch::matmul(q, k.transpose(-2, -1))
                    .mul(scale)
                    .masked_fill(later_positions, -std::numeric_limits<double>::infinity());
  return torch::softmax(scores, -1);
}

torch::Tensor CausalSelfAttention::weights(const torch::Tensor& x,
                                           const torch::Tensor& later_positions) {
  torch::NoGradGuard no_grad;
  const auto qkv = project(x);
  return attention(qkv[0], qkv[1], later_positions);
}

torch::Tensor CausalSelfAttention::forward(const torch::Tensor& x,
                                           const torch::Tensor& later_positions) {
  const auto b = x.size(0), n = x.size(1), dim = x.size(2);
  const auto qkv = project(x);
  auto p = attention(qkv[0], qkv[1], later_positions);
  p = apply_noise(p, dropout_noise(p, dropout_, is_training()));  // attn_dropout
  // [b, h, n, d] -> [b n, h d]: HF's _merge_heads.
  auto y = torch::matmul(p, qkv[2]).transpose(1, 2).reshape({b * n, dim});
  auto out = torch::addmm(c_proj_->bias, y, c_proj_->weight.t());
  return apply_noise(out, dropout_noise(out, dropout_, is_training())).view({b, n, dim});
}

}  // namespace comet::models
