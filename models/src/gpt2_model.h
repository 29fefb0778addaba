#pragma once
// Private to models/ (and its tests). GPT-2 with HuggingFace GPT2LMHeadModel's semantics:
// learned token (wte) and position (wpe) embeddings, embedding dropout, pre-LayerNorm blocks
// (ln_1, causal self-attention, residual; ln_2, MLP, residual), ln_f, and the output layer
// tied to wte. Every block's MLP is a TokenMlp, so the masking policies (comet, topk, ...) act
// per token. docs/models.md, "gpt2".

#include <functional>
#include <memory>
#include <vector>

#include "causal_self_attention.h"
#include "token_mlp.h"

namespace comet::models {

struct Gpt2Shape {
  std::int64_t vocab = 50257;
  std::int64_t block_size = 1024;  // n_positions
  std::int64_t dim = 768;          // n_embd
  std::int64_t depth = 12;         // n_layer
  std::int64_t heads = 12;         // n_head
  double dropout = 0.1;            // embd_pdrop = attn_pdrop = resid_pdrop
};

// HF's GPT2PreTrainedModel._init_weights: weights N(0, 0.02), biases 0 (LayerNorm: 1 and 0),
// and every c_proj weight (attention's and the MLP's, the projections into the residual
// stream) N(0, 0.02 / sqrt(2 n_layer)).
constexpr double kGpt2InitStd = 0.02;
double gpt2_residual_projection_std(std::int64_t depth);
// Linear(in, out) with weight N(0, std) drawn from `generator` and a zero bias.
torch::nn::Linear make_gpt2_linear(std::int64_t in, std::int64_t out, double std,
                                   at::Generator& generator);

class Gpt2Model : public torch::nn::Module {
 public:
  // One TokenMlp per block from make_mlp(block) (its layers drawn from the same generator, by
  // the factory, after the block's attention); every other weight from `generator`: wte, wpe,
  // then per block c_attn, c_proj, then the MLP.
  using MlpFactory = std::function<std::shared_ptr<TokenMlp>(std::int64_t block)>;
  Gpt2Model(const Gpt2Shape& shape, const MlpFactory& make_mlp, at::Generator& generator);

  // tokens int64 [batch, T], 1 <= T <= block_size: ln_f's output [batch, T, dim].
  torch::Tensor hidden_states(const torch::Tensor& tokens);
  // The tied output layer on every position: [batch, T, vocab].
  torch::Tensor logits(const torch::Tensor& tokens);
  // Mean cross-entropy of position t's logits against token t + 1 (tied_output_loss.h).
  torch::Tensor next_token_loss(const torch::Tensor& tokens);

  const torch::Tensor& token_embedding() const { return wte_; }
  std::int64_t depth() const { return static_cast<std::int64_t>(blocks_.size()); }
  CausalSelfAttention& attention(std::int64_t block) { return *blocks_.at(block).attention; }
  TokenMlp& mlp(std::int64_t block) { return *blocks_.at(block).mlp; }

 private:
  struct Block {
    torch::nn::LayerNorm ln_1{nullptr}, ln_2{nullptr};
    std::shared_ptr<CausalSelfAttention> attention;
    std::shared_ptr<TokenMlp> mlp;
  };
  torch::Tensor run_block(Block& block, const torch::Tensor& x, const torch::Tensor& later);

  Gpt2Shape shape_;
  torch::Tensor wte_, wpe_;
  std::vector<Block> blocks_;
  torch::nn::LayerNorm ln_f_{nullptr};
};

}  // namespace comet::models
