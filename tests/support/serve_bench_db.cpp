// Writes the database of comet serve's timings (docs/performance.md, "comet serve"): one sweep
// of 10,000 trials (model x width x lr x seed = 2 x 5 x 5 x 200), every one done with 100
// epochs of the trainer's 5 metrics (train loss/acc, val loss/acc, epoch seconds), all through
// ResultStore as `comet run` writes them. Not a test: run by scripts/serve_bench.sh.
//   serve_bench_db OUT.db [TRIALS_PER_MODEL_WIDTH_LR=200] [EPOCHS=100]

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "comet/results/result_store.h"
#include "comet/sweeps/sweep_spec.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: serve_bench_db OUT.db [SEEDS=200] [EPOCHS=100]\n";
    return 2;
  }
  const std::filesystem::path db = argv[1];
  const int seeds = argc > 2 ? std::atoi(argv[2]) : 200;
  const int epochs = argc > 3 ? std::atoi(argv[3]) : 100;
  if (std::filesystem::exists(db)) {
    std::cerr << db << " exists; remove it first\n";
    return 2;
  }
  std::string yaml = "name: bench\ndataset: fashion_mnist\nepochs: " + std::to_string(epochs) +
                     "\nbatch_size: 32\noptimizer: sgd\nactivation: softplus\ndepth: 4\ngrid:\n"
                     "  model: [comet, standard]\n  width: [100, 200, 300, 400, 500]\n"
                     "  lr: [0.0001, 0.0003, 0.001, 0.003, 0.01]\n  seed: [";
  for (int s = 0; s < seeds; ++s) yaml += (s ? ", " : "") + std::to_string(s);
  yaml += "]\n";
  const auto spec = comet::sweeps::parse_sweep_text(yaml, "bench.yaml");
  const auto trials = comet::sweeps::expand_trials(spec);
  auto store = comet::results::ResultStore::open(db);
  store.register_sweep(spec, trials);
  std::size_t n = 0;
  for (const auto& t : trials) {
    const auto attempt = store.start_attempt(t.id, {"bench-host", "cpu", "0.1.0", "1.13", 1});
    const double ceiling = 0.8 + 0.0001 * static_cast<double>(n % 997);
    for (int e = 1; e <= epochs; ++e) {
      const double acc = ceiling * (1 - std::exp(-0.1 * e));
      store.record_epoch(t.id, {e,
                                {{"train", "loss", 2.3 * std::exp(-0.03 * e)},
                                 {"train", "acc", acc + 0.01},
                                 {"val", "loss", 2.3 * std::exp(-0.025 * e)},
                                 {"val", "acc", acc},
                                 {"epoch", "seconds", 1.0 + 0.001 * e}}});
    }
    store.set_trainable_parameters(t.id, t.config.integer("width") * 1000);
    store.finish_attempt(attempt, comet::results::TrialStatus::done);
    if (++n % 1000 == 0) std::cerr << n << " trials\n";
  }
  return 0;
}
