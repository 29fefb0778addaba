#include "example_hash.h"

#include <cmath>

namespace comet::models {
namespace {

// splitmix64 constants. Tensors hold them as int64: the bit patterns are what matters, and
// int64 multiplication and xor wrap exactly like uint64 arithmetic.
constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
constexpr std::uint64_t kUnit = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t kLayer = 0x165667B19E3779F9ULL;
constexpr std::uint64_t kMix1 = 0xBF58476D1CE4E5B9ULL;
constexpr std::uint64_t kMix2 = 0x94D049BB133111EBULL;
constexpr int kBits = 24;  // exact in a float, ample for a keep probability

std::int64_t as_signed(std::uint64_t v) { return static_cast<std::int64_t>(v); }

// x >> s on the bit pattern (torch's >> on int64 is arithmetic, so clear the sign copies).
torch::Tensor logical_shift_right(const torch::Tensor& x, int s) {
  return x.__rshift__(s).bitwise_and(as_signed((~0ULL) >> s));
}

std::uint64_t finalise(std::uint64_t z) {
  z = (z ^ (z >> 30)) * kMix1;
  z = (z ^ (z >> 27)) * kMix2;
  return z ^ (z >> 31);
}

torch::Tensor finalise(torch::Tensor z) {
  z = z.bitwise_xor(logical_shift_right(z, 30)).mul(as_signed(kMix1));
  z = z.bitwise_xor(logical_shift_right(z, 27)).mul(as_signed(kMix2));
  return z.bitwise_xor(logical_shift_right(z, 31));
}

}  // namespace

std::int64_t example_hash_bits(std::uint64_t seed, std::int64_t layer, std::int64_t example_id,
                               std::int64_t unit) {
  std::uint64_t z = finalise(seed + static_cast<std::uint64_t>(layer) * kLayer) ^
                    (static_cast<std::uint64_t>(example_id) * kGolden);
  z = finalise(z + static_cast<std::uint64_t>(unit) * kUnit);
  return static_cast<std::int64_t>(z >> (64 - kBits));
}

torch::Tensor example_hash_bits(std::uint64_t seed, std::int64_t layer, const torch::Tensor& ids,
                                std::int64_t width) {
  const auto base = as_signed(finalise(seed + static_cast<std::uint64_t>(layer) * kLayer));
  auto per_example = ids.to(torch::kInt64).mul(as_signed(kGolden)).bitwise_xor(base);
  auto units = torch::arange(width, ids.options().dtype(torch::kInt64)).mul(as_signed(kUnit));
  auto z = finalise(per_example.unsqueeze(1).add(units.unsqueeze(0)));
  return logical_shift_right(z, 64 - kBits);
}

torch::Tensor example_bernoulli_mask(std::uint64_t seed, std::int64_t layer,
                                     const torch::Tensor& ids, std::int64_t width, double p) {
  const auto threshold = static_cast<std::int64_t>(std::llround(p * (1LL << kBits)));
  return example_hash_bits(seed, layer, ids, width).lt(threshold).to(torch::kFloat32);
}

}  // namespace comet::models
