#include "self_attention.h"

#include <cmath>

#include "attention_core.h"
#include "vision_parts.h"

namespace comet::models {

SelfAttention::SelfAttention(std::int64_t dim, std::int64_t heads, std::int64_t dim_head,
                             double dropout, at::Generator& generator)
    : heads_(heads), dim_head_(dim_head), dropout_(dropout) {
  to_qkv_ = register_module("to_qkv", make_linear(dim, 3 * heads * dim_head, false, generator));
  if (!(heads == 1 && dim_head == dim)) {
    to_out_ = register_module("to_out", make_linear(heads * dim_head, dim, true, generator));
  }
}

std::array<torch::Tensor, 2> SelfAttention::attend(const torch::Tensor& x) {
  const auto b = x.size(0), n = x.size(1);
  auto qkv = torch::mm(x.reshape({b * n, x.size(2)}), to_qkv_->weight.t());
  return multi_head_attention(qkv, b, heads_, 1.0 / std::sqrt(static_cast<double>(dim_head_)));
}

torch::Tensor SelfAttention::weights(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  return attend(x)[1].view({x.size(0), heads_, x.size(1), x.size(1)});
}

torch::Tensor SelfAttention::forward(const torch::Tensor& x) {
  const auto b = x.size(0), n = x.size(1);
  auto out = attend(x)[0];  // [b n, h d]
  if (!to_out_) return out.view({b, n, -1});
  out = torch::addmm(to_out_->bias, out, to_out_->weight.t());
  return apply_noise(out, dropout_noise(out, dropout_, is_training())).view({b, n, -1});
}

}  // namespace comet::models
