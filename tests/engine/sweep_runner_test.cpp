#include "comet/engine/sweep_runner.h"

#include <gtest/gtest.h>

#include "idx_fixture.h"
#include "temp_dir.h"

#include "comet/engine/runtime_info.h"

namespace comet::engine {
namespace {

using testing::TempDir;

class CountingReporter : public RunReporter {
 public:
  void trial_skipped(const sweeps::TrialSpec&, results::TrialStatus) override { ++skipped; }
  void trial_started(int, int, const sweeps::TrialSpec&) override { ++started; }
  void epoch_finished(const sweeps::TrialSpec&, const EpochMetrics&) override { ++epochs; }
  void trial_finished(const sweeps::TrialSpec&, const TrialResult& r) override {
    outcomes.push_back(r.outcome);
  }
  int skipped = 0, started = 0, epochs = 0;
  std::vector<TrialOutcome> outcomes;
};

TEST(SweepRunner, RecordsEveryEpochAndKeepsGoingPastAFailure) {
  TempDir dir;
  testing::write_mnist_fixture(dir / "data" / "mnist", 200, 20);
  set_threads(2);
  auto spec = sweeps::parse_sweep_text(
      "name: s\ndataset: mnist\nepochs: 2\nlr: 0.01\nwidth: 16\ngrid:\n  model: [comet, standard]\n"
      "  seed: [0, 1]\n",
      "s.yaml");
  auto trials = sweeps::expand_trials(spec);
  // A trial whose model the engine cannot build: it must fail alone, recorded with its error.
  auto broken = trials.at(1);
  broken.config.set("model", std::string("bogus"));
  broken.id = sweeps::trial_id(broken.config);
  trials.at(1) = broken;

  auto store = results::ResultStore::open(dir / "r.db");
  store.register_sweep(spec, trials);
  SweepRunner runner(RunOptions{"cpu", dir / "data", false, /*checkpoint_dir=*/{}, 1});
  runner.prepare(trials);
  CountingReporter reporter;
  auto summary = runner.run(trials, store, reporter);
  EXPECT_EQ(summary.total, 4);
  EXPECT_EQ(summary.done, 3);
  EXPECT_EQ(summary.failed, 1);
  EXPECT_EQ(reporter.epochs, 6);

  auto rows = store.list_trials("s");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].status, results::TrialStatus::failed);
  EXPECT_NE(rows[1].last_error.find("bogus"), std::string::npos) << rows[1].last_error;
  for (std::size_t i : {0u, 2u, 3u}) {
    EXPECT_EQ(rows[i].status, results::TrialStatus::done);
    EXPECT_EQ(rows[i].epochs_done, 2);
    EXPECT_EQ(store.curve(rows[i].id).size(), 10u);  // 2 epochs x 5 metrics
    ASSERT_TRUE(rows[i].trainable_parameters.has_value());
  }

  // A second run skips what is done and, without --rerun-failed, what failed.
  CountingReporter again;
  auto second = runner.run(trials, store, again);
  EXPECT_EQ(second.skipped, 4);
  EXPECT_EQ(again.started, 0);
  SweepRunner rerunner(RunOptions{"cpu", dir / "data", true, /*checkpoint_dir=*/{}, 1});
  CountingReporter rerun;
  auto third = rerunner.run(trials, store, rerun);
  EXPECT_EQ(third.skipped, 3);
  EXPECT_EQ(third.failed, 1);
  EXPECT_EQ(store.curve(rows[0].id).size(), 10u);  // nothing duplicated
}

}  // namespace
}  // namespace comet::engine
