#include "cap_mask.h"

namespace comet::models {

torch::Tensor cap_mask(const torch::Tensor& v, std::int64_t k) {
  const auto n = v.size(-1);
  TORCH_CHECK(k >= 1 && k <= n, "cap_mask: k=", k, " outside [1, ", n, "]");
  if (k == n) return torch::ones_like(v);
  // The k-th largest value of each row is the threshold; everything above it is kept, and of
  // the values equal to it only the first (k - above) by index.
  // Unsorted top-k then a min is cheaper than a sorted top-k (the order is never needed).
  auto threshold = std::get<0>(v.topk(k, -1, /*largest=*/true, /*sorted=*/false)).amin(-1, true);
  auto above = v > threshold;
  auto at_threshold = v == threshold;
  auto still_needed = k - above.sum(-1, /*keepdim=*/true);
  auto tie_rank = at_threshold.cumsum(-1);
  auto keep = above.logical_or(at_threshold.logical_and(tie_rank <= still_needed));
  return keep.to(v.scalar_type());
}

}  // namespace comet::models
