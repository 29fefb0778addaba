#pragma once
// Private to models/ (and its tests). GPT-2's tied output layer and its next-token
// cross-entropy in one step, over chunks of rows, so that the [rows, vocab] logits never exist
// whole: at the tiny config (2,032 predictions x 50,257 ids) they are 412 MB in float, and
// torch's separate log_softmax, nll and their backward passes walk over them five times.
//
// Per chunk of rows: logits = h W^T, the row's log-sum-exp and loss, and (when a gradient is
// wanted) G = (softmax - onehot) / rows at once, so dh = G W and dW += G^T h are taken while
// the chunk is still the one in memory. The loss is a scalar, so its backward pass only scales
// these stored gradients by the incoming one: nothing is recomputed.

#include <torch/torch.h>

namespace comet::models {

// Rows of logits computed together (a [rows, vocab] buffer, 25.7 MB at vocab 50,257: under
// glibc's largest mmap threshold, so it is reused from the heap, not faulted in anew).
constexpr std::int64_t kTiedLossChunkRows = 128;

// mean over rows r of -log softmax(h_r W^T)[targets_r]: h [rows, dim] (float, or half/bfloat16
// under autocast), weight [vocab, dim], targets int64 [rows] in [0, vocab). Gradients flow to
// h and weight as torch's cross_entropy(h.mm(weight.t()), targets) would give them. Accumulates
// in float whatever the compute type.
torch::Tensor tied_next_token_loss(const torch::Tensor& h, const torch::Tensor& weight,
                                   const torch::Tensor& targets,
                                   std::int64_t chunk_rows = kTiedLossChunkRows);

}  // namespace comet::models
