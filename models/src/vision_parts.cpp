#include "vision_parts.h"

#include <cmath>
#include <cstdint>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <ATen/CPUGeneratorImpl.h>

namespace comet::models {

torch::nn::Linear make_linear(std::int64_t in, std::int64_t out, bool bias,
                              at::Generator& generator) {
  torch::NoGradGuard no_grad;
  auto linear = torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  linear->weight.uniform_(-bound, bound, generator);
  if (bias) linear->bias.uniform_(-bound, bound, generator);
  return linear;
}

// A ViT step allocates and frees ~100 tensors of 0.1-7 MB. glibc serves blocks above its mmap
// threshold (128 KiB, raised dynamically only as far as blocks are freed) with fresh mmaps and
// trims the heap's top back to the system, so most of them are new pages, and on the VM this
// was measured on the page faults cost more than the arithmetic: 268 ms a step against 97 ms
// with the heap kept (docs/performance.md). Keep blocks up to 32 MiB (glibc's maximum) on the
// heap and the heap untrimmed below 1 GiB: freed memory is reused, the working set is the peak.
void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  });
#endif
}

torch::Tensor image_patches(const torch::Tensor& x, const std::vector<std::int64_t>& image_shape,
                            std::int64_t patch) {
  const auto c = image_shape[0], h = image_shape[1], w = image_shape[2];
  const auto b = x.size(0);
  // [b, c, h/p, p, w/p, p] -> [b, h/p, w/p, p1, p2, c]
  return x.reshape({b, c, h / patch, patch, w / patch, patch})
      .permute({0, 2, 4, 3, 5, 1})
      .reshape({b, (h / patch) * (w / patch), patch * patch * c});
}

namespace {

std::uint64_t dropout_mix(std::uint64_t z) {  // splitmix64's finaliser
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

torch::Tensor dropout_noise(const torch::Tensor& like, double p, bool training) {
  if (!training || p == 0) return {};
  const double keep = 1 - p;
  if (!like.device().is_cpu() || like.scalar_type() != torch::kFloat32) {
    // What at::dropout multiplies by (bernoulli_(1 - p) then div_(1 - p)).
    return torch::empty_like(like).bernoulli_(keep).div_(keep);
  }
  // On the CPU bernoulli_ draws each element from a serial mt19937 (~10 ns an element without
  // MKL, a third of a ViT step's time). Instead: one 64-bit draw from torch's default
  // generator (which the trainer seeds from the trial's dropout stream) keys a counter-based
  // hash, each hash gives two elements 24 bits each, compared with keep at 2^-24 resolution.
  std::uint64_t seed = 0;
  {
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    seed = at::check_generator<at::CPUGeneratorImpl>(generator)->random64();
  }
  auto noise =
      torch::empty(like.sizes(), like.options().memory_format(at::MemoryFormat::Contiguous));
  float* out = noise.data_ptr<float>();
  const std::int64_t n = noise.numel();
  const auto threshold = static_cast<std::uint32_t>(std::llround(keep * (1 << 24)));
  const auto scale = static_cast<float>(1.0 / keep);
  at::parallel_for(0, (n + 1) / 2, 8192, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const auto z = dropout_mix(seed + static_cast<std::uint64_t>(i) * 0x9E3779B97F4A7C15ULL);
      out[2 * i] = static_cast<std::uint32_t>(z >> 40) < threshold ? scale : 0.0f;
      if (2 * i + 1 < n) {
        out[2 * i + 1] =
            static_cast<std::uint32_t>((z >> 8) & 0xffffffu) < threshold ? scale : 0.0f;
      }
    }
  });
  return noise;
}

}  // namespace comet::models
