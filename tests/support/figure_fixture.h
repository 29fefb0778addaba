#pragma once
// A results database for the figure tests, written through the public ResultStore API:
//  - sweep "grid": model {comet, standard} x width {100, 500} x p_k {0.1, 0.5} x seed {0, 1},
//    3 epochs each, train/val accuracy and loss (values from fixture_acc, so tests can compute
//    min, max and midpoints by hand);
//  - sweep "reg": two trials that recorded only losses (a regression sweep);
//  - sweep "quoted": two trials whose text key `note` holds quotes and SQL-like text.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "comet/results/result_store.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::testing {

inline const std::array<std::string, 2> kFixtureModels = {"comet", "standard"};
inline constexpr std::array<std::int64_t, 2> kFixtureWidths = {100, 500};
inline constexpr std::array<double, 2> kFixturePks = {0.1, 0.5};
// Text that would break a shell, a gnuplot string or an SQL statement if pasted into one.
inline const std::string kHostileNote = R"(it's "x"; DROP TABLE trials; -- \n)";

// val_acc of one trial at one epoch (1..3): a base curve, offsets per model, width and p_k, and
// a seed jitter that crosses over, so the per-epoch minimum is not always the same seed.
inline double fixture_acc(std::size_t model, std::size_t width, std::size_t pk, int seed,
                          int epoch) {
  constexpr double base[] = {0.50, 0.60, 0.70};
  constexpr double jitter[2][3] = {{0.00, 0.02, 0.00}, {0.04, 0.00, 0.06}};
  return base[epoch - 1] + (model == 0 ? 0.0 : -0.1) + (width == 0 ? 0.0 : 0.05) +
         (pk == 0 ? 0.0 : 0.02) + jitter[seed][epoch - 1];
}

// Trainable parameters: 10 per unit of width, 7 more for the standard model.
inline std::int64_t fixture_parameters(std::size_t model, std::size_t width) {
  return kFixtureWidths[width] * 10 + (model == 0 ? 0 : 7);
}

namespace figure_fixture_detail {

inline sweeps::SweepSpec sweep_named(const std::string& name) {
  sweeps::SweepSpec spec;
  spec.name = name;
  spec.source_path = name + ".yaml";
  spec.source_text = "name: " + name + "\n";
  return spec;
}

inline sweeps::TrialSpec trial_of(const sweeps::TrialConfig& config) {
  return sweeps::TrialSpec{sweeps::trial_id(config), config};
}

// Records `epochs` (one vector of metrics per epoch) as one finished attempt.
inline void record_trial(results::ResultStore& store, const std::string& id,
                         const std::vector<std::vector<results::Metric>>& epochs) {
  const auto attempt =
      store.start_attempt(id, results::AttemptInfo{"host", "cpu", "0.1.0", "none", 0});
  for (std::size_t e = 0; e < epochs.size(); ++e) {
    store.record_epoch(id, results::EpochRecord{static_cast<int>(e + 1), epochs[e]});
  }
  store.finish_attempt(attempt, results::TrialStatus::done);
}

}  // namespace figure_fixture_detail

inline void write_figure_fixture(const std::filesystem::path& db) {
  using namespace figure_fixture_detail;
  auto store = results::ResultStore::open(db);

  std::vector<sweeps::TrialSpec> grid;
  for (std::size_t m = 0; m < 2; ++m) {
    for (std::size_t w = 0; w < 2; ++w) {
      for (std::size_t p = 0; p < 2; ++p) {
        for (int seed = 0; seed < 2; ++seed) {
          sweeps::TrialConfig config;
          config.set("dataset", std::string("mnist"));
          config.set("model", kFixtureModels[m]);
          config.set("width", kFixtureWidths[w]);
          config.set("p_k", kFixturePks[p]);
          config.set("seed", std::int64_t{seed});
          grid.push_back(trial_of(config));
        }
      }
    }
  }
  store.register_sweep(sweep_named("grid"), grid);
  std::size_t index = 0;
  for (std::size_t m = 0; m < 2; ++m) {
    for (std::size_t w = 0; w < 2; ++w) {
      for (std::size_t p = 0; p < 2; ++p) {
        for (int seed = 0; seed < 2; ++seed) {
          const auto& id = grid[index++].id;
          std::vector<std::vector<results::Metric>> epochs;
          for (int epoch = 1; epoch <= 3; ++epoch) {
            const double acc = fixture_acc(m, w, p, seed, epoch);
            epochs.push_back({{"train", "acc", acc + 0.1},
                              {"train", "loss", 1.1 - acc},
                              {"val", "acc", acc},
                              {"val", "loss", 1.0 - acc},
                              {"epoch", "seconds", 1.5}});
          }
          record_trial(store, id, epochs);
          store.set_trainable_parameters(id, fixture_parameters(m, w));
        }
      }
    }
  }

  std::vector<sweeps::TrialSpec> reg;
  for (std::int64_t width : {8, 16}) {
    sweeps::TrialConfig config;
    config.set("dataset", std::string("sarcos"));
    config.set("model", std::string("comet"));
    config.set("width", width);
    reg.push_back(trial_of(config));
  }
  store.register_sweep(sweep_named("reg"), reg);
  for (const auto& trial : reg) {
    record_trial(store, trial.id,
                 {{{"train", "loss", 2.0}, {"val", "loss", 2.5}},
                  {{"train", "loss", 1.0}, {"val", "loss", 1.5}}});
  }

  std::vector<sweeps::TrialSpec> quoted;
  for (const std::string& note : {kHostileNote, std::string("plain")}) {
    sweeps::TrialConfig config;
    config.set("model", std::string("comet"));
    config.set("note", note);
    quoted.push_back(trial_of(config));
  }
  store.register_sweep(sweep_named("quoted"), quoted);
  for (std::size_t i = 0; i < quoted.size(); ++i) {
    const double acc = 0.3 + 0.1 * static_cast<double>(i);
    record_trial(store, quoted[i].id, {{{"val", "acc", acc}}, {{"val", "acc", acc + 0.2}}});
  }
}

}  // namespace comet::testing
