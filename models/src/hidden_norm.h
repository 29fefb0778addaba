#pragma once
// Private to models/. The `norm` option: a normalisation of each hidden layer's pre-activation,
// a_l <- norm(a_l), before the activation and before any mask is computed from a_l.

#include <string>

#include <torch/torch.h>

namespace comet::models {

// none: an empty AnyModule (is_empty()); batch: BatchNorm1d(width); layer: LayerNorm(width).
// Both trainable with PyTorch's defaults (scale 1, shift 0, eps 1e-5, momentum 0.1). Throws
// ModelError for any other name.
torch::nn::AnyModule make_hidden_norm(const std::string& name, std::int64_t width);

}  // namespace comet::models
