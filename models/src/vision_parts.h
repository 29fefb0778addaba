#pragma once
// Private to models/. The pieces the transformers (vit, mixer, gpt2) share: PyTorch-default layer
// initialisation from a given generator, the patch rearrangement, and dropout noise.

#include <vector>

#include <torch/torch.h>

namespace comet::models {

// nn.Linear(in, out, bias) with PyTorch's default init: weight and bias U(-1/sqrt(in),
// 1/sqrt(in)), drawn from `generator` (weight first). nn.Conv1d(in, out, kernel_size=1), the
// Mixer's token mixing in lucidrains' code, has the same parameters and the same init.
torch::nn::Linear make_linear(std::int64_t in, std::int64_t out, bool bias,
                              at::Generator& generator);

// Rearrange('b c (h p1) (w p2) -> b (h w) (p1 p2 c)'): x as [b, C*H*W] (channel-major rows) or
// [b, C, H, W] -> [b, (H/p)(W/p), p*p*C]: patches row by row, inside a patch pixels row by row,
// channels fastest.
torch::Tensor image_patches(const torch::Tensor& x, const std::vector<std::int64_t>& image_shape,
                            std::int64_t patch);

// torch.nn.Dropout(p)'s multiplier in training: 0 with probability p, 1 / (1 - p) otherwise, of
// like's shape; undefined when there is nothing to drop (p == 0 or evaluation).
torch::Tensor dropout_noise(const torch::Tensor& like, double p, bool training);

// Keeps freed blocks up to 32 MiB on the heap for reuse instead of returning them to the
// system (vision_parts.cpp says why). Process-wide, once; for processes that build a
// transformer (vit, mixer, gpt2), as the trial's worker does.
void keep_freed_memory_for_reuse();

// x * noise, or x itself when noise is undefined.
inline torch::Tensor apply_noise(const torch::Tensor& x, const torch::Tensor& noise) {
  return noise.defined() ? x * noise : x;
}

}  // namespace comet::models
