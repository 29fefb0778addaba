#include "cap_mask.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

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

namespace {

// Floats as unsigned keys in the same order (IEEE 754: flip every bit of a negative number, the
// sign bit of a positive one). -0 sorts below +0; the tie rule compares floats, where they are
// equal, so it does not matter which of the two the threshold is.
std::uint32_t order_key(float f) {
  std::uint32_t u = 0;
  std::memcpy(&u, &f, sizeof u);
  return (u & 0x80000000u) != 0 ? ~u : (u | 0x80000000u);
}

float from_order_key(std::uint32_t key) {
  const std::uint32_t u = (key & 0x80000000u) != 0 ? (key & 0x7fffffffu) : ~key;
  float f = 0;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// The k-th largest of row[0..n) by radix selection on the keys, 8 bits at a time from the top:
// each pass keeps only the candidates in the bin that holds it. About 3x faster than
// std::nth_element on 1000 random floats (the exponent bits already split them finely).
float kth_largest(const float* row, std::int64_t n, std::int64_t k,
                  std::vector<std::uint32_t>& keys) {
  keys.resize(static_cast<std::size_t>(n));
  for (std::int64_t j = 0; j < n; ++j) keys[static_cast<std::size_t>(j)] = order_key(row[j]);
  std::size_t count = keys.size();
  std::int64_t rank = k;  // 1-based, from the top, among the candidates
  for (int shift = 24; shift >= 0 && count > 1; shift -= 8) {
    std::array<std::int64_t, 256> bins{};
    for (std::size_t i = 0; i < count; ++i) ++bins[(keys[i] >> shift) & 0xffu];
    std::uint32_t chosen = 255;
    for (;; --chosen) {
      if (rank <= bins[chosen]) break;
      rank -= bins[chosen];
    }
    std::size_t kept = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (((keys[i] >> shift) & 0xffu) == chosen) keys[kept++] = keys[i];
    }
    count = kept;
  }
  return from_order_key(keys[0]);  // every candidate left has the same key
}

// Every entry of a float matrix with contiguous rows is finite: one pass over the exponent bits
// (torch::isfinite(v).all() makes four passes and three temporaries).
bool all_finite(const torch::Tensor& v) {
  const auto rows = v.size(0), n = v.size(1), row_stride = v.stride(0);
  const float* data = v.data_ptr<float>();
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* row = data + r * row_stride;
    std::uint32_t special = 0;
    for (std::int64_t j = 0; j < n; ++j) {
      std::uint32_t bits = 0;
      std::memcpy(&bits, row + j, sizeof bits);
      special |= static_cast<std::uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
    }
    if (special != 0) return false;
  }
  return true;
}

}  // namespace

torch::Tensor cap_in_place(torch::Tensor& v, std::int64_t k) {
  // Rows may be strided (a column block of a wider GEMM output, token_mlp.cpp); units not.
  const bool row_kernel = v.device().is_cpu() && v.scalar_type() == torch::kFloat32 &&
                          v.dim() == 2 && v.stride(1) == 1 && v.stride(0) >= v.size(1) &&
                          all_finite(v);
  if (!row_kernel) {  // NaN/inf rows keep top-k's ordering of them: the generic path
    auto m = cap_mask(v, k);
    v.mul_(m);
    return m.to(torch::kBool);
  }
  const auto rows = v.size(0), n = v.size(1), row_stride = v.stride(0);
  TORCH_CHECK(k >= 1 && k <= n, "cap_in_place: k=", k, " outside [1, ", n, "]");
  auto mask = torch::empty({rows, n}, v.options().dtype(torch::kBool));
  float* data = v.data_ptr<float>();
  bool* keep = mask.data_ptr<bool>();
  // Rows are independent: split them over the intra-op threads (a ViT step caps ~6,400 token
  // rows per block).
  const std::int64_t grain = std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(n, 1));
  at::parallel_for(0, rows, grain, [&](std::int64_t begin, std::int64_t end) {
    std::vector<std::uint32_t> keys;
    for (std::int64_t r = begin; r < end; ++r) {
      float* row = data + r * row_stride;
      bool* kept = keep + r * n;
      // Everything above the k-th largest value stays, and of the values equal to it the first
      // (k - above) by index, as cap_mask.
      const float threshold = kth_largest(row, n, k, keys);
      std::int64_t above = 0;
      for (std::int64_t j = 0; j < n; ++j) above += row[j] > threshold;
      std::int64_t ties_left = k - above;
      for (std::int64_t j = 0; j < n; ++j) {
        const bool on = row[j] > threshold || (row[j] == threshold && ties_left-- > 0);
        kept[j] = on;
        if (!on) row[j] = 0.0f;
      }
    }
  });
  return mask;
}

}  // namespace comet::models
