#pragma once
// Private to models/ (and its tests): torch types are fine here, never in include/.

#include <torch/torch.h>

namespace comet::models {

// The cap C_k of eq. (3), row-wise: a {0,1} tensor of v's dtype with exactly k ones per row at
// the k largest values. Tie rule: among equal values the lower index wins, so a row always
// keeps exactly k units (eq. (3) read literally would keep more than k on ties).
torch::Tensor cap_mask(const torch::Tensor& v, std::int64_t k);

}  // namespace comet::models
