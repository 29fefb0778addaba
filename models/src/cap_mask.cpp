#include "cap_mask.h"

namespace comet::models {

namespace {

// The tie rule spelled out without host synchronisation: everything above the threshold, and
// of the values equal to it only the first (k - above) by index.
torch::Tensor cap_with_ties(const torch::Tensor& v, const torch::Tensor& threshold,
                            std::int64_t k) {
  auto above = v > threshold;
  auto at_threshold = v == threshold;
  auto still_needed = k - above.sum(-1, /*keepdim=*/true);
  auto tie_rank = at_threshold.cumsum(-1);
  return above.logical_or(at_threshold.logical_and(tie_rank <= still_needed));
}

}  // namespace

torch::Tensor cap_mask(const torch::Tensor& v, std::int64_t k) {
  const auto n = v.size(-1);
  TORCH_CHECK(k >= 1 && k <= n, "cap_mask: k=", k, " outside [1, ", n, "]");
  if (k == n) return torch::ones_like(v);
  // The k-th largest value of each row is the threshold. Unsorted top-k then a min is cheaper
  // than a sorted top-k (the order is never needed).
  auto threshold = std::get<0>(v.topk(k, -1, /*largest=*/true, /*sorted=*/false)).amin(-1, true);
  if (v.is_cuda()) return cap_with_ties(v, threshold, k).to(v.scalar_type());
  // On the CPU a check costs nothing to wait for: rows without a tie at the threshold keep
  // exactly v >= threshold, and only a tie (rare for real-valued inputs) needs the rule above,
  // which is 4-5x slower (measured on 1024 x 1000: 61 ms against 13 ms).
  auto keep = v >= threshold;
  if (keep.sum(-1).gt(k).any().item<bool>()) keep = cap_with_ties(v, threshold, k);
  return keep.to(v.scalar_type());
}

}  // namespace comet::models
