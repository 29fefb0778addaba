#pragma once
// Private to models/. Per-example random bits without stored tables: a counter-based hash of
// (stream seed, layer, example id, unit), computed elementwise on the device. The same example
// gets the same bits in every batch, epoch and run, on CPU and GPU alike.

#include <cstdint>

#include <torch/torch.h>

namespace comet::models {

// Reference implementation on the host: 24 uniformly distributed bits (the value in [0, 2^24)).
std::int64_t example_hash_bits(std::uint64_t seed, std::int64_t layer, std::int64_t example_id,
                               std::int64_t unit);

// The same for a batch: ids int64 [batch] -> int64 [batch, width], equal bit for bit to
// example_hash_bits(seed, layer, ids[b], u) at [b, u].
torch::Tensor example_hash_bits(std::uint64_t seed, std::int64_t layer, const torch::Tensor& ids,
                                std::int64_t width);

// {0,1} float mask [batch, width]: each bit is on with probability p (quantised to 2^-24).
torch::Tensor example_bernoulli_mask(std::uint64_t seed, std::int64_t layer,
                                     const torch::Tensor& ids, std::int64_t width, double p);

}  // namespace comet::models
