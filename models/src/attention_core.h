#pragma once
// Private to models/ (and its tests). The core of multi-head self-attention,
// softmax(q k^T scale) v for every (example, head), reading q, k, v straight out of the to_qkv
// GEMM's [b n, 3 h d] output and writing [b n, h d], with its own backward pass.
//
// Why not bmm: LibTorch 1.13's CPU bmm loops over the batch with three select()s and a fully
// checked addmm per matrix (512 matrices of 50 x 16 per call in the reference ViT step). Here
// every (example, head) is one BLAS sgemm call on strided rows, spread over the intra-op
// threads; the permute copies of q, k, v and of the output disappear, and the backward pass
// does all of one (example, head)'s work (softmax's backward included) while it is in cache.

#include <torch/torch.h>

namespace comet::models {

// qkv: [batch * tokens, 3 * heads * dim_head] (q, k, v blocks, each head's d contiguous, as
// lucidrains' rearrange 'b n (h d) -> b h n d' reads them). Returns {out [batch * tokens,
// heads * dim_head] ('b h n d -> b n (h d)'), attention [batch * heads, tokens, tokens]} with
// gradients flowing to qkv through out; attention is a constant (what tests look at).
std::array<torch::Tensor, 2> multi_head_attention(const torch::Tensor& qkv, std::int64_t batch,
                                                  std::int64_t heads, double scale);

}  // namespace comet::models
