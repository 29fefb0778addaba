// Checkpoints through the SweepRunner and a real store: an interrupted sweep, run again, holds
// every epoch exactly once and the curves of an uninterrupted run.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "idx_fixture.h"
#include "temp_dir.h"

#include "comet/engine/runtime_info.h"
#include "comet/engine/sweep_runner.h"

namespace comet::engine {
namespace {

using testing::TempDir;

// Throws `Error` when the given trial reports the given epoch (after the store committed it).
template <typename Error>
class StoppingReporter : public RunReporter {
 public:
  StoppingReporter(std::string trial_id, int epoch)
      : trial_id_(std::move(trial_id)), epoch_(epoch) {}
  void epoch_finished(const sweeps::TrialSpec& trial, const EpochMetrics& m) override {
    if (trial.id == trial_id_ && m.epoch == epoch_) throw Error("interrupted");
  }

 private:
  std::string trial_id_;
  int epoch_;
};

class ResumeReporter : public RunReporter {
 public:
  void trial_resumed(const sweeps::TrialSpec& trial, int epoch) override {
    resumed[trial.id] = epoch;
  }
  void trial_warning(const sweeps::TrialSpec&, const std::string& text) override {
    warnings.push_back(text);
  }
  std::map<std::string, int> resumed;
  std::vector<std::string> warnings;
};

class CheckpointRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_mnist_fixture(dir_ / "data" / "mnist", 200, 20);
    set_threads(2);
    spec_ = sweeps::parse_sweep_text(
        "name: s\ndataset: mnist\nepochs: 4\nlr: 0.002\noptimizer: adam\nnorm: batch\n"
        "schedule: cosine\nwidth: 16\np_k: 0.5\nbatch_size: 16\n"
        "grid:\n  model: [dropout, comet]\n",
        "s.yaml");
    trials_ = sweeps::expand_trials(spec_);
  }
  RunOptions options(bool rerun_failed = false) const {
    return RunOptions{"cpu", dir_ / "data", rerun_failed, dir_ / "r.db.runs", 1};
  }
  results::ResultStore open_store(const std::string& name) {
    auto store = results::ResultStore::open(dir_ / name);
    store.register_sweep(spec_, trials_);
    return store;
  }
  // Every metric but the wall time, by (epoch, split, name); fails on a duplicate.
  static std::map<std::tuple<int, std::string, std::string>, double> curve_of(
      const results::ResultStore& store, const std::string& trial_id) {
    std::map<std::tuple<int, std::string, std::string>, double> out;
    for (const auto& p : store.curve(trial_id)) {
      if (p.split == "epoch") continue;
      EXPECT_TRUE(out.emplace(std::tuple{p.epoch, p.split, p.name}, p.value).second);
    }
    return out;
  }
  // Rows per epoch: each epoch exactly once means 5 rows (4 metrics and the wall time).
  static std::map<int, int> rows_per_epoch(const results::ResultStore& store,
                                           const std::string& trial_id) {
    std::map<int, int> out;
    for (const auto& p : store.curve(trial_id)) ++out[p.epoch];
    return out;
  }
  void expect_complete_and_equal_to_reference(const results::ResultStore& store) {
    auto reference = open_store("reference.db");
    SweepRunner runner(RunOptions{"cpu", dir_ / "data", false, /*checkpoint_dir=*/{}, 1});
    RunReporter quiet;
    EXPECT_EQ(runner.run(trials_, reference, quiet).done, 2);
    const std::map<int, int> once{{1, 5}, {2, 5}, {3, 5}, {4, 5}};
    for (const auto& t : trials_) {
      SCOPED_TRACE(t.id);
      EXPECT_EQ(store.trial_status(t.id), results::TrialStatus::done);
      EXPECT_EQ(rows_per_epoch(store, t.id), once);
      EXPECT_EQ(curve_of(store, t.id), curve_of(reference, t.id));  // exact doubles
      // A done trial's checkpoint is deleted.
      EXPECT_FALSE(std::filesystem::exists(dir_ / "r.db.runs" / (t.id + ".ckpt")));
    }
  }
  TempDir dir_;
  sweeps::SweepSpec spec_;
  std::vector<sweeps::TrialSpec> trials_;
};

// A crash (here: the storage error that ends a run) after epoch 3 of the first trial was
// stored, whose checkpoint covers epoch 2: the next run drops epoch 3 and resumes after 2.
TEST_F(CheckpointRunnerTest, CrashedSweepResumesWithEveryEpochOnce) {
  auto store = open_store("r.db");
  {
    SweepRunner runner(options());
    StoppingReporter<results::StoreError> crash(trials_[0].id, 3);
    EXPECT_THROW(runner.run(trials_, store, crash), results::StoreError);
  }
  EXPECT_EQ(store.trial_status(trials_[0].id), results::TrialStatus::running);
  EXPECT_EQ(rows_per_epoch(store, trials_[0].id).size(), 3u);  // ahead of the checkpoint
  EXPECT_TRUE(std::filesystem::exists(dir_ / "r.db.runs" / (trials_[0].id + ".ckpt")));

  SweepRunner runner(options());
  ResumeReporter reporter;
  const auto summary = runner.run(trials_, store, reporter);
  EXPECT_EQ(summary.done, 2);
  EXPECT_EQ(reporter.resumed, (std::map<std::string, int>{{trials_[0].id, 2}}));
  EXPECT_TRUE(reporter.warnings.empty());
  expect_complete_and_equal_to_reference(store);
}

// A trial that failed after epoch 3 and is retried with --rerun-failed continues the same way.
TEST_F(CheckpointRunnerTest, RetriedTrialResumesFromItsCheckpoint) {
  auto store = open_store("r.db");
  {
    SweepRunner runner(options());
    StoppingReporter<std::runtime_error> failure(trials_[1].id, 3);
    const auto summary = runner.run(trials_, store, failure);
    EXPECT_EQ(summary.done, 1);
    EXPECT_EQ(summary.failed, 1);
  }
  SweepRunner runner(options(/*rerun_failed=*/true));
  ResumeReporter reporter;
  EXPECT_EQ(runner.run(trials_, store, reporter).done, 1);
  EXPECT_EQ(reporter.resumed, (std::map<std::string, int>{{trials_[1].id, 2}}));
  expect_complete_and_equal_to_reference(store);
}

// A checkpoint whose epochs the database does not hold (a new database beside an old
// checkpoint folder) would leave a hole in the curve: the trial starts over instead.
TEST_F(CheckpointRunnerTest, CheckpointAheadOfTheDatabaseIsNotUsed) {
  {
    auto old_store = open_store("old.db");
    SweepRunner runner(options());
    StoppingReporter<results::StoreError> crash(trials_[0].id, 3);
    EXPECT_THROW(runner.run(trials_, old_store, crash), results::StoreError);
  }
  auto store = open_store("r.db");
  SweepRunner runner(options());
  ResumeReporter reporter;
  EXPECT_EQ(runner.run(trials_, store, reporter).done, 2);
  EXPECT_TRUE(reporter.resumed.empty());
  ASSERT_EQ(reporter.warnings.size(), 1u);
  EXPECT_NE(reporter.warnings[0].find("lacks"), std::string::npos) << reporter.warnings[0];
  expect_complete_and_equal_to_reference(store);
}

}  // namespace
}  // namespace comet::engine
