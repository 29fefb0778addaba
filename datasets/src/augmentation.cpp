// crop_flip: random crop from zero padding plus horizontal flip, one gather per batch.

#include "comet/datasets/augmentation.h"

#include <stdexcept>

#include <torch/torch.h>

#include "splitmix64.h"

namespace comet::datasets {
namespace {

// The Park-Miller "minimal standard" modulus and multiplier: every product of a state
// (< 2^31) and the multiplier stays below 2^47, so int64 tensor arithmetic is exact and the
// same on every device (no reliance on wrapping overflow, which differs by backend).
constexpr std::int64_t kModulus = 2147483647;  // 2^31 - 1, prime
constexpr std::int64_t kMultiplier = 48271;

torch::Tensor advance(const torch::Tensor& state) {
  return (state * kMultiplier).remainder(kModulus);
}

}  // namespace

at::Tensor crop_flip(const at::Tensor& raw, const std::vector<std::int64_t>& image_shape,
                     const at::Tensor& example_ids, std::uint64_t stream_seed, std::int64_t epoch,
                     std::int64_t padding) {
  if (image_shape.size() != 3) throw std::invalid_argument("crop_flip needs {C, H, W}");
  const auto batch = raw.size(0);
  const auto channels = image_shape[0], height = image_shape[1], width = image_shape[2];
  if (raw.dim() != 2 || raw.size(1) != channels * height * width) {
    throw std::invalid_argument("crop_flip: rows are not C*H*W images");
  }
  // One 31-bit key per (stream, epoch) from splitmix64 on the host; per example the key is
  // mixed with the id by a multiplication modulo a prime (ids < 2^31 by far: the largest
  // dataset has 1.3e5 examples) and three generator steps, one per draw.
  SplitMix64 mixer(stream_seed ^ (static_cast<std::uint64_t>(epoch) * 0x9E3779B97F4A7C15ULL));
  const auto key = static_cast<std::int64_t>(mixer.next() % (kModulus - 1)) + 1;
  auto state = ((example_ids.remainder(kModulus - 1) + 1) * 16807).remainder(kModulus);
  state = (state + key).remainder(kModulus - 1) + 1;  // in [1, 2^31 - 2]: never the fixed point 0
  state = advance(advance(state));
  const auto span = 2 * padding + 1;
  auto top = state.remainder(span);
  state = advance(state);
  auto left = state.remainder(span);
  state = advance(state);
  auto flip = state.remainder(2).to(torch::kBool);

  const auto padded_h = height + 2 * padding, padded_w = width + 2 * padding;
  auto images = raw.view({batch, channels, height, width});
  auto padded = torch::constant_pad_nd(images, {padding, padding, padding, padding}, 0);
  const auto long_options = example_ids.options().dtype(torch::kInt64);
  auto rows = top.view({batch, 1}) + torch::arange(height, long_options).view({1, height});
  auto forward_cols = torch::arange(width, long_options).view({1, width});
  auto cols = torch::where(flip.view({batch, 1}), (width - 1) - forward_cols, forward_cols) +
              left.view({batch, 1});
  // Flat index of each output pixel in its padded image, the same for every channel.
  auto source = (rows.view({batch, height, 1}) * padded_w + cols.view({batch, 1, width}))
                    .view({batch, 1, height * width})
                    .expand({batch, channels, height * width});
  return padded.view({batch, channels, padded_h * padded_w})
      .gather(2, source)
      .view({batch, channels * height * width});
}

}  // namespace comet::datasets
