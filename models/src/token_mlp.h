#pragma once
// Private to models/. The MLP inside every ViT and Mixer block, applied to each token (a row)
// on its own: Linear(in, hidden) -> f -> mask -> Dropout -> Linear(hidden, in) -> Dropout
// (lucidrains' FeedForward with the policy's mask after the activation). The masking policies
// are the MLP's own (mask_policy.h), each seeing [tokens, hidden] rows as it sees
// [examples, width] rows in the MaskedMlp: comet routes each token through a fixed V.

#include <memory>

#include "activation.h"
#include "mask_policy.h"

namespace comet::models {

class CometRouting;

// fc1 [hidden, in] and fc2 [in, hidden], initialised by whoever builds them.
struct TokenMlpLayers {
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};

class TokenMlp : public torch::nn::Module {
 public:
  // fc1, fc2 with nn.Linear's default init drawn from `generator`. policy: a MaskPolicy for one
  // hidden layer of `hidden` units (CometRouting over {in, hidden}, TopkCap, DropoutMask,
  // NoMask). dropout: the block's own dropout rate, on the hidden activation and the output.
  TokenMlp(std::int64_t in, std::int64_t hidden, Activation activation,
           std::shared_ptr<MaskPolicy> policy, double dropout, at::Generator& generator);
  // The same with the layers given and each dropout its own: GPT-2's MLP (HF's GPT2MLP) has
  // its own init and drops nothing on the hidden activation, only on the output.
  TokenMlp(TokenMlpLayers layers, Activation activation, std::shared_ptr<MaskPolicy> policy,
           double hidden_dropout, double output_dropout);

  // x: [tokens, in] -> [tokens, in].
  torch::Tensor forward(const torch::Tensor& x);

  // m * f(W1 x + b1) without the dropout, and in *mask (when given) m as a float tensor, or an
  // undefined one when the policy gives no mask. What tests check the policy against.
  torch::Tensor hidden(const torch::Tensor& x, torch::Tensor* mask);

  const torch::nn::Linear& fc1() const { return fc1_; }
  const torch::nn::Linear& fc2() const { return fc2_; }
  MaskPolicy& policy() { return *policy_; }

 private:
  // The hidden activation with the policy's mask and (in training) the dropout noise applied
  // in one multiply. mask, when given, receives the policy's mask.
  torch::Tensor masked_hidden(const torch::Tensor& x, bool with_dropout, torch::Tensor* mask);

  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
  Activation activation_;
  std::shared_ptr<MaskPolicy> policy_;
  // comet: the routing network, whose projection shares fc1's GEMM (token_mlp.cpp).
  const CometRouting* routing_ = nullptr;
  double hidden_dropout_, output_dropout_;
};

}  // namespace comet::models
