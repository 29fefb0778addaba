#include "gpt2_model.h"

#include <cmath>

#include "tied_output_loss.h"
#include "vision_parts.h"

namespace comet::models {

namespace {

torch::nn::LayerNorm gpt2_layer_norm(std::int64_t dim) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-5));  // ones, zeros
}

torch::Tensor normal_matrix(std::int64_t rows, std::int64_t cols, double std,
                            at::Generator& generator) {
  return torch::empty({rows, cols}).normal_(0, std, generator);
}

}  // namespace

double gpt2_residual_projection_std(std::int64_t depth) {
  return kGpt2InitStd / std::sqrt(2.0 * static_cast<double>(depth));
}

torch::nn::Linear make_gpt2_linear(std::int64_t in, std::int64_t out, double std,
                                   at::Generator& generator) {
  torch::NoGradGuard no_grad;
  auto linear = torch::nn::Linear(torch::nn::LinearOptions(in, out));
  linear->weight.normal_(0, std, generator);
  linear->bias.zero_();
  return linear;
}

Gpt2Model::Gpt2Model(const Gpt2Shape& shape, const MlpFactory& make_mlp, at::Generator& generator)
    : shape_(shape) {
  const auto& s = shape_;
  wte_ = register_parameter("wte", normal_matrix(s.vocab, s.dim, kGpt2InitStd, generator));
  wpe_ = register_parameter("wpe", normal_matrix(s.block_size, s.dim, kGpt2InitStd, generator));
  const double projection_std = gpt2_residual_projection_std(s.depth);
  for (std::int64_t l = 0; l < s.depth; ++l) {
    Block block;
    // Built in steps: GCC 12 -O3 warns falsely (stringop-overflow) on "h" + to_string(l).
    std::string prefix = "h";
    prefix += std::to_string(l);
    prefix += "_";
    block.ln_1 = register_module(prefix + "ln_1", gpt2_layer_norm(s.dim));
    auto c_attn = make_gpt2_linear(s.dim, 3 * s.dim, kGpt2InitStd, generator);
    auto c_proj = make_gpt2_linear(s.dim, s.dim, projection_std, generator);
    block.attention = register_module(
        prefix + "attn", std::make_shared<CausalSelfAttention>(s.heads, std::move(c_attn),
                                                               std::move(c_proj), s.dropout));
    block.ln_2 = register_module(prefix + "ln_2", gpt2_layer_norm(s.dim));
    block.mlp = register_module(prefix + "mlp", make_mlp(l));
    blocks_.push_back(std::move(block));
  }
  ln_f_ = register_module("ln_f", gpt2_layer_norm(s.dim));
}

// Pre-norm residuals: x + attn(ln_1(x)), then x + mlp(ln_2(x)) with the MLP per token.
torch::Tensor Gpt2Model::run_block(Block& block, const torch::Tensor& x,
                                   const torch::Tensor& later) {
  auto u = x + block.attention->forward(block.ln_1->forward(x), later);
  const auto rows = u.size(0) * u.size(1);
  auto mlp_out = block.mlp->forward(block.ln_2->forward(u).view({rows, shape_.dim}));
  return u + mlp_out.view(u.sizes());
}

torch::Tensor Gpt2Model::hidden_states(const torch::Tensor& tokens) {
  const auto t = tokens.size(1);
  // Position ids 0..T-1: wpe's first T rows, broadcast over the batch.
  auto x = torch::embedding(wte_, tokens) + wpe_.narrow(0, 0, t);
  x = apply_noise(x, dropout_noise(x, shape_.dropout, is_training()));
  const auto later = causal_mask(t, tokens.device());
  for (auto& block : blocks_) x = run_block(block, x, later);
  return ln_f_->forward(x);
}

torch::Tensor Gpt2Model::logits(const torch::Tensor& tokens) {
  return torch::matmul(hidden_states(tokens), wte_.t());
}

torch::Tensor Gpt2Model::next_token_loss(const torch::Tensor& tokens) {
  const auto b = tokens.size(0), t = tokens.size(1);
  auto h = hidden_states(tokens);
  // HF's label shift: positions 0..T-2 predict tokens 1..T-1; the last position predicts
  // nothing inside the block.
  auto rows = h.narrow(1, 0, t - 1).reshape({b * (t - 1), shape_.dim});
  auto targets = tokens.narrow(1, 1, t - 1).reshape({b * (t - 1)});
  return tied_next_token_loss(rows, wte_, targets);
}

}  // namespace comet::models
