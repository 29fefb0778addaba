#pragma once
// Private to models/ (and its tests): torch types are fine here, never in include/.

#include <torch/torch.h>

namespace comet::models {

// The cap C_k of eq. (3), row-wise: a {0,1} tensor of v's dtype with exactly k ones per row at
// the k largest values. Tie rule: among equal values the lower index wins, so a row always
// keeps exactly k units (eq. (3) read literally would keep more than k on ties).
torch::Tensor cap_mask(const torch::Tensor& v, std::int64_t k);

// The cap applied in place, for the routing network (eqs. 5-6): v's dropped entries become 0
// and the bool mask of the kept ones is returned, with cap_mask's tie rule. On the CPU one pass
// per row (a selection for the k-th largest value, then the mask) instead of top-k and several
// elementwise passes, rows split over the intra-op threads; elsewhere cap_mask and a multiply.
// v may be a column block of a wider matrix (rows strided, units contiguous).
torch::Tensor cap_in_place(torch::Tensor& v, std::int64_t k);

}  // namespace comet::models
