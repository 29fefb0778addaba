#pragma once
// Private to cli/. The floating-point work of an epoch of a COMET MLP, counted from its shape:
// what `comet bench` divides by seconds to report GFLOP/s.

#include <cstdint>
#include <vector>

namespace comet::cli {

struct EpochWork {
  double train = 0;    // backbone forward + backward of every training example
  double eval = 0;     // backbone forward of every validation example
  double routing = 0;  // routing network (eqs. 4-6) of every training and validation example
};

// dims: input, hidden widths..., output. A product of [b, n] by [n, m] is 2 b n m operations;
// training computes per layer the forward product, the weight gradient and (but for the first
// layer, whose input needs none) the input gradient. Elementwise work is not counted.
EpochWork epoch_work(const std::vector<std::int64_t>& dims, std::int64_t train_examples,
                     std::int64_t val_examples);

// What comet executes per epoch over `epochs` epochs: routing once per example per trial
// (its masks are cached), the backbone every epoch.
double executed_per_epoch(const EpochWork& work, int epochs);
// What a loop that routes every example every step executes per epoch (the peer).
double routed_every_step(const EpochWork& work);

}  // namespace comet::cli
