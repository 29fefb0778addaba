// Issue 19's acceptance for ignored keys: a quickstart-shaped sweep (2 models x 2 widths x 2 p_k
// x 2 seeds) is 12 trials with 4 grid points folded, and a database written before folding
// (standard once per p_k, under ids that hash the p_k) skips all of them.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "idx_fixture.h"
#include "temp_dir.h"
#include "test_paths.h"

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/results/result_store.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::cli {
namespace {

using testing::TempDir;

// The quickstart's grid on the MNIST fixture, one epoch.
constexpr const char* kQuickstartShape =
    "name: quickstart\ndataset: mnist\nepochs: 1\nlr: 1.0e-3\n"
    "grid:\n  model: [comet, standard]\n  width: [16, 32]\n  p_k: [0.25, 0.5]\n  seed: [0, 1]\n";
constexpr const char* kFoldedCounts = "12 trials (16 grid points, 4 folded into equal trials";

class FoldedTrialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_mnist_fixture(dir_ / "data" / "mnist", 200, 20);
    std::ofstream(dir_ / "sweep.yaml") << kQuickstartShape;
    params_.sweep_file = dir_ / "sweep.yaml";
    params_.db = dir_ / "results.db";
    params_.data_root = dir_ / "data";
    params_.devices = "cpu";
    params_.worker_executable = testing::kCometBinary;
  }

  // What a comet without folding stored: every grid point its own trial, each done.
  void write_unfolded_database() {
    const auto spec = sweeps::parse_sweep_file(params_.sweep_file);
    std::vector<sweeps::TrialSpec> unfolded;
    for (const auto& trial : sweeps::expand_trials(spec)) {
      if (trial.earlier_ids.empty()) {
        unfolded.push_back({trial.id, trial.config});
        continue;
      }
      for (double p_k : {0.25, 0.5}) {  // the old rule: the same trial_id of the given p_k
        auto config = trial.config;
        config.set("p_k", p_k);
        unfolded.push_back({sweeps::trial_id(config), config});
      }
    }
    ASSERT_EQ(unfolded.size(), 16u);
    auto store = results::ResultStore::open(params_.db);
    store.register_sweep(spec, unfolded);
    for (const auto& trial : unfolded) {
      const auto attempt = store.start_attempt(trial.id, {"h", "cpu", "old", "t", 0});
      store.record_epoch(trial.id, {1, {{"val", "acc", 0.5}, {"val", "loss", 1.0}}});
      store.finish_attempt(attempt, results::TrialStatus::done);
    }
  }

  TempDir dir_;
  RunParams params_;
};

TEST_F(FoldedTrialsTest, AnUnfoldedDatabaseSkipsEveryTrial) {
  write_unfolded_database();
  params_.dry_run = true;
  std::ostringstream plan;
  ASSERT_EQ(run_command(params_, plan, plan), kExitOk);
  EXPECT_NE(
      plan.str().find(std::string(kFoldedCounts) + ": keys their model ignores), 0 to run, 12 "
                                                   "to skip"),
      std::string::npos)
      << plan.str();

  params_.dry_run = false;
  std::ostringstream out, err;
  ASSERT_EQ(run_command(params_, out, err), kExitOk) << err.str();
  EXPECT_NE(err.str().find(std::string(kFoldedCounts)), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("(12 already done)"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("0 ran (0 done"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("12 skipped"), std::string::npos) << err.str();

  auto store = results::ResultStore::open_read_only(params_.db);
  const auto rows = store.list_trials("quickstart");
  ASSERT_EQ(rows.size(), 12u);
  const auto trials = sweeps::expand_trials(sweeps::parse_sweep_file(params_.sweep_file));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].id, trials[i].id);
    EXPECT_EQ(rows[i].status, results::TrialStatus::done);
    EXPECT_EQ(rows[i].epochs_done, 1);
  }
}

// A fresh run trains 12 trials, and compare shows standard in both p_k columns.
TEST_F(FoldedTrialsTest, AFreshRunTrainsEachTrialOnceAndCompareSpansTheColumns) {
  std::ostringstream out, err;
  ASSERT_EQ(run_command(params_, out, err), kExitOk) << err.str();
  EXPECT_NE(err.str().find(std::string(kFoldedCounts)), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("12 ran (12 done"), std::string::npos) << err.str();

  CompareParams compare;
  compare.db = params_.db;
  compare.sweep = "quickstart";
  compare.format = OutputFormat::csv;
  std::ostringstream table;
  ASSERT_EQ(compare_command(compare, table), kExitOk);
  int standard_cells = 0;
  std::istringstream lines(table.str());
  for (std::string line; std::getline(lines, line);) {
    if (line.find(",standard,") == std::string::npos) continue;
    ++standard_cells;
    EXPECT_TRUE(line.find(",p_k,0.25,") != std::string::npos ||
                line.find(",p_k,0.5,") != std::string::npos)
        << line;
  }
  EXPECT_EQ(standard_cells, 4);  // 2 widths x 2 p_k columns
}

}  // namespace
}  // namespace comet::cli
