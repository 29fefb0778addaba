#pragma once
// Private to models/. Masks tied to the example's identity rather than its content: the
// `bernoulli` and `example_tied` baselines. Each is a pure function of (seed, layer, example
// id) through example_hash, so nothing is stored and every run sees the same masks.

#include <cstdint>

#include "mask_policy.h"

namespace comet::models {

// Bernoulli masking (section 4.2.1): every training example keeps each unit with probability
// p, the same units every epoch; evaluation uses no mask (the authors' code).
class BernoulliMask : public MaskPolicy {
 public:
  BernoulliMask(std::uint64_t seed, double p) : seed_(seed), p_(p) {}
  void begin(const torch::Tensor& input, const torch::Tensor& example_ids) override;
  torch::Tensor mask(std::int64_t layer, const torch::Tensor& layer_input,
                     const torch::Tensor& pre_activation, const torch::Tensor& activation) override;

 private:
  std::uint64_t seed_;
  double p_;
  torch::Tensor ids_;
};

// Example-tied dropout (Maini et al. 2023, as the authors' code): units [0, k) are
// "generalisation neurons", always on; every other unit is on with probability p, fixed per
// training example. At evaluation only units [0, k) are on.
class ExampleTiedMask : public MaskPolicy {
 public:
  ExampleTiedMask(std::uint64_t seed, double p, std::int64_t kept)
      : seed_(seed), p_(p), kept_(kept) {}
  void begin(const torch::Tensor& input, const torch::Tensor& example_ids) override;
  torch::Tensor mask(std::int64_t layer, const torch::Tensor& layer_input,
                     const torch::Tensor& pre_activation, const torch::Tensor& activation) override;

 private:
  std::uint64_t seed_;
  double p_;
  std::int64_t kept_;
  torch::Tensor ids_;
};

}  // namespace comet::models
