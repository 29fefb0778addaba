#include "bench_work.h"

namespace comet::cli {

EpochWork epoch_work(const std::vector<std::int64_t>& dims, std::int64_t train_examples,
                     std::int64_t val_examples) {
  double forward = 0, backward = 0, routing = 0;
  for (std::size_t l = 1; l < dims.size(); ++l) {
    const double product = 2.0 * static_cast<double>(dims[l - 1]) * static_cast<double>(dims[l]);
    forward += product;
    backward += l == 1 ? product : 2 * product;
    if (l + 1 < dims.size()) routing += product;  // V_l exists for hidden layers only
  }
  const auto n_train = static_cast<double>(train_examples);
  const auto n_val = static_cast<double>(val_examples);
  return {n_train * (forward + backward), n_val * forward, (n_train + n_val) * routing};
}

double executed_per_epoch(const EpochWork& work, int epochs) {
  return work.train + work.eval + work.routing / (epochs > 0 ? epochs : 1);
}

double routed_every_step(const EpochWork& work) { return work.train + work.eval + work.routing; }

}  // namespace comet::cli
