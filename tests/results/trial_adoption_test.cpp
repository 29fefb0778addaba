// A database written before ignored keys were folded stores a standard trial once per p_k,
// under ids that hash the p_k. Registering the folded trial finds it under one of its
// earlier_ids and moves it, with status, attempts and curve, to its id.

#include <gtest/gtest.h>

#include "store_test_data.h"
#include "temp_dir.h"

#include "comet/results/result_store.h"

namespace comet::results {
namespace {

using comet::testing::TempDir;
using namespace test_data;

sweeps::TrialConfig standard_at(double p_k) {
  auto config = config_of(64, 0.01, 1);
  config.set("model", std::string("standard"));
  config.set("p_k", p_k);
  return config;
}

// The folded trial as expand_trials gives it: p_k at its default, the old ids kept.
sweeps::TrialSpec folded_trial() {
  auto trial = trial_of(standard_at(1.0));
  trial.earlier_ids = {trial_of(standard_at(0.1)).id, trial_of(standard_at(0.5)).id};
  return trial;
}

void train(ResultStore& store, const std::string& id, int epochs, double acc) {
  const auto attempt = store.start_attempt(id, attempt_info());
  for (int e = 1; e <= epochs; ++e) store.record_epoch(id, epoch_of(e, acc));
  store.finish_attempt(attempt, TrialStatus::done);
}

TEST(TrialAdoption, AFoldedTrialTakesOverItsDoneEarlierTrial) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto old_first = trial_of(standard_at(0.1));
  const auto old_second = trial_of(standard_at(0.5));
  // The second is done, the first was interrupted after one epoch: the done one is taken.
  store.register_sweep(sweep_named("old"), {old_first, old_second});
  const auto attempt = store.start_attempt(old_first.id, attempt_info());
  store.record_epoch(old_first.id, epoch_of(1, 0.3));
  store.interrupt_attempt(attempt, "test");
  train(store, old_second.id, 2, 0.7);

  const auto trial = folded_trial();
  EXPECT_EQ(store.stored_id(trial), old_second.id);
  const auto moved = store.register_sweep(sweep_named("old"), {trial});
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].earlier_id, old_second.id);
  EXPECT_EQ(moved[0].id, trial.id);
  EXPECT_EQ(store.stored_id(trial), trial.id);

  EXPECT_EQ(store.trial_status(trial.id), TrialStatus::done);
  EXPECT_FALSE(store.trial_status(old_second.id).has_value());
  const auto rows = store.list_trials("old");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, trial.id);
  EXPECT_EQ(rows[0].config, trial.config);  // the folded config: p_k 1
  EXPECT_EQ(rows[0].epochs_done, 2);
  EXPECT_DOUBLE_EQ(*rows[0].best_val_acc, 0.7);
  EXPECT_EQ(store.attempts(trial.id).size(), 1u);
  EXPECT_EQ(store.curve(trial.id).size(), 6u);  // 2 epochs x 3 metrics
  // The other grid point's training stays where it was, outside the sweep.
  EXPECT_EQ(store.trial_status(old_first.id), TrialStatus::pending);
  RawConnection raw(dir / "results.db");
  EXPECT_EQ(raw.single("SELECT count(*) FROM sweep_trials WHERE trial_id = '" + old_first.id + "'"),
            "0");
  EXPECT_EQ(raw.single("SELECT count(*) FROM metrics WHERE trial_id = '" + old_second.id + "'"),
            "0");
  // Registering again moves nothing.
  EXPECT_TRUE(store.register_sweep(sweep_named("old"), {trial}).empty());
}

// Another sweep that listed the earlier id lists the trial afterwards.
TEST(TrialAdoption, OtherSweepsFollowTheMove) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto old_trial = trial_of(standard_at(0.5));
  store.register_sweep(sweep_named("first"), {old_trial});
  store.register_sweep(sweep_named("second"), {old_trial});
  train(store, old_trial.id, 1, 0.5);
  const auto trial = folded_trial();
  store.register_sweep(sweep_named("first"), {trial});
  const auto second = store.list_trials("second");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, trial.id);
  EXPECT_EQ(second[0].sweeps, (std::vector<std::string>{"first", "second"}));
}

// A trial already stored under its id stays; its earlier ids are not looked at.
TEST(TrialAdoption, ATrialStoredUnderItsIdIsKept) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trial = folded_trial();
  const auto old_trial = trial_of(standard_at(0.5));
  store.register_sweep(sweep_named("both"), {trial, old_trial});
  train(store, old_trial.id, 1, 0.5);
  EXPECT_EQ(store.stored_id(trial), trial.id);
  EXPECT_TRUE(store.register_sweep(sweep_named("new"), {trial}).empty());
  EXPECT_EQ(store.trial_status(trial.id), TrialStatus::pending);
  EXPECT_EQ(store.trial_status(old_trial.id), TrialStatus::done);
  // Nothing stored: nullopt.
  TempDir empty;
  auto fresh = ResultStore::open(empty / "results.db");
  EXPECT_FALSE(fresh.stored_id(trial).has_value());
}

}  // namespace
}  // namespace comet::results
