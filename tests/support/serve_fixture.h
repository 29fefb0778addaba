#pragma once
// A results database shaped like the quickstart's (sweeps/quickstart.yaml: 12 trials, 3 epochs,
// model x width x p_k x seed) with made-up curves, written through ResultStore: every trial
// done but the last, which is running after one epoch. Trial 0 has a log and a checkpoint file in
// <db>.runs, as `comet run` leaves them. For `comet serve`'s tests.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_paths.h"

#include "comet/results/result_store.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::testing {

struct ServeFixture {
  std::vector<sweeps::TrialSpec> trials;
  std::string running_id;
  std::int64_t running_attempt = 0;
};

// One epoch's five metrics, as the trainer records them; accuracy rises towards `ceiling`.
inline results::EpochRecord fixture_epoch(int epoch, double ceiling) {
  const double acc = ceiling * (1 - std::exp(-0.9 * epoch));
  return {epoch,
          {{"train", "loss", 2.3 * std::exp(-0.5 * epoch)},
           {"train", "acc", acc + 0.01},
           {"val", "loss", 2.3 * std::exp(-0.45 * epoch)},
           {"val", "acc", acc},
           {"epoch", "seconds", 1.2 + 0.1 * epoch}}};
}

inline ServeFixture write_serve_fixture(const std::filesystem::path& db) {
  const auto spec =
      sweeps::parse_sweep_file(std::filesystem::path(kSourceDir) / "sweeps" / "quickstart.yaml");
  ServeFixture fixture{sweeps::expand_trials(spec), "", 0};
  auto store = results::ResultStore::open(db);
  store.register_sweep(spec, fixture.trials);
  for (std::size_t i = 0; i < fixture.trials.size(); ++i) {
    const auto& t = fixture.trials[i];
    const bool comet = t.config.text("model") == "comet";
    const double ceiling = (comet ? 0.84 : 0.8) + (t.config.integer("width") == 500 ? 0.03 : 0) +
                           0.01 * static_cast<double>(t.config.integer("seed")) +
                           (comet && t.config.real("p_k") < 0.2 ? -0.02 : 0);
    const auto attempt = store.start_attempt(
        t.id, {"fixture-host", "cpu", "0.1.0 (fixture)", "1.13", 4242, "AMD EPYC", "openblas", 1});
    store.set_trainable_parameters(t.id, t.config.integer("width") * 1000);
    const bool running = i + 1 == fixture.trials.size();
    for (int e = 1; e <= (running ? 1 : 3); ++e)
      store.record_epoch(t.id, fixture_epoch(e, ceiling));
    if (running) {
      fixture.running_id = t.id;
      fixture.running_attempt = attempt;
    } else {
      store.finish_attempt(attempt, results::TrialStatus::done);
    }
  }
  const auto runs = std::filesystem::path(db.string() + ".runs");
  std::filesystem::create_directories(runs);
  const auto& first = fixture.trials[0].id;
  std::ofstream(runs / (first + ".log")) << "epoch 1 val_acc 0.49\nepoch 2 val_acc 0.68\n";
  std::ofstream(runs / (first + ".ckpt")) << std::string(1000, 'c');
  return fixture;
}

}  // namespace comet::testing
