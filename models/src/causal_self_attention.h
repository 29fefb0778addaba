#pragma once
// Private to models/ (and its tests). GPT-2's attention (HF's GPT2Attention): c_attn =
// Linear(dim, 3 dim) gives q, k, v (each head's dim / heads columns contiguous), softmax of
// q k^T / sqrt(dim / heads) with every later position masked, dropout on those attention
// weights, then the heads side by side through c_proj = Linear(dim, dim) and the residual
// dropout. The weights are initialised by the caller (GPT-2's init, gpt2_model.cpp).

#include <array>

#include <torch/torch.h>

namespace comet::models {

class CausalSelfAttention : public torch::nn::Module {
 public:
  // c_attn, c_proj: [3 dim, dim] and [dim, dim] with biases; dropout: attn_pdrop = resid_pdrop.
  CausalSelfAttention(std::int64_t heads, torch::nn::Linear c_attn, torch::nn::Linear c_proj,
                      double dropout);

  // x: [batch, tokens, dim]; later_positions: bool [tokens, tokens], true above the diagonal
  // (causal_mask below). Returns [batch, tokens, dim].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& later_positions);
  // The attention weights [batch, heads, tokens, tokens] without dropout (what tests inspect).
  torch::Tensor weights(const torch::Tensor& x, const torch::Tensor& later_positions);

  const torch::nn::Linear& c_attn() const { return c_attn_; }
  const torch::nn::Linear& c_proj() const { return c_proj_; }

 private:
  // {q, k, v}, each [batch, heads, tokens, dim / heads].
  std::array<torch::Tensor, 3> project(const torch::Tensor& x);
  torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k,
                          const torch::Tensor& later_positions);

  std::int64_t heads_;
  double dropout_;
  torch::nn::Linear c_attn_{nullptr}, c_proj_{nullptr};
};

// True where key position j is after query position i (j > i): what a causal model never sees.
torch::Tensor causal_mask(std::int64_t tokens, const torch::Device& device);

}  // namespace comet::models
