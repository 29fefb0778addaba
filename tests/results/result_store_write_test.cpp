// Registering sweeps and recording epochs.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "store_test_data.h"
#include "temp_dir.h"

#include "comet/results/result_store.h"

namespace comet::results {
namespace {

using comet::testing::TempDir;
using namespace test_data;

TEST(RegisterSweep, StoresTrialsAsPendingInOrder) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  store.register_sweep(sweep_named("widths"), trials);

  const auto rows = store.list_trials("widths");
  ASSERT_EQ(rows.size(), 3u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].id, trials[i].id);
    EXPECT_EQ(rows[i].config, trials[i].config);
    EXPECT_EQ(rows[i].status, TrialStatus::pending);
    EXPECT_EQ(rows[i].sweeps, std::vector<std::string>{"widths"});
    EXPECT_EQ(rows[i].epochs_done, 0);
    EXPECT_FALSE(rows[i].best_val_acc.has_value());
    EXPECT_FALSE(rows[i].trainable_parameters.has_value());
    EXPECT_EQ(rows[i].last_error, "");
  }
  RawConnection raw(dir / "results.db");
  const auto sweep = raw.rows("SELECT name, source_path, source_text, created_at FROM sweeps");
  ASSERT_EQ(sweep.size(), 1u);
  EXPECT_EQ(sweep[0][0], "widths");
  EXPECT_EQ(sweep[0][1], "sweeps/widths.yaml");
  EXPECT_EQ(sweep[0][2], "name: widths\n");
  EXPECT_TRUE(is_utc_timestamp(sweep[0][3])) << sweep[0][3];
  EXPECT_EQ(raw.single("SELECT config_json FROM trials WHERE id = '" + trials[0].id + "'"),
            R"({"dataset":"mnist","lr":0.01,"seed":1,"width":64})");
}

TEST(RegisterSweep, TwiceKeepsStatusesAndCurvesWithoutDuplicates) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  store.register_sweep(sweep_named("widths"), trials);
  const auto attempt = store.start_attempt(trials[1].id, attempt_info());
  store.record_epoch(trials[1].id, epoch_of(1, 0.42));
  store.finish_attempt(attempt, TrialStatus::done);

  auto edited = sweep_named("widths");
  edited.source_text = "name: widths\n# edited\n";
  store.register_sweep(edited, trials);

  const auto rows = store.list_trials("widths");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].status, TrialStatus::pending);
  EXPECT_EQ(rows[1].status, TrialStatus::done);
  EXPECT_EQ(rows[1].best_val_acc, 0.42);
  EXPECT_EQ(store.curve(trials[1].id).size(), 3u);
  RawConnection raw(dir / "results.db");
  EXPECT_EQ(raw.single("SELECT count(*) FROM trials"), "3");
  EXPECT_EQ(raw.single("SELECT count(*) FROM sweep_trials"), "3");
  EXPECT_EQ(raw.single("SELECT count(*) FROM sweeps"), "1");
  EXPECT_EQ(raw.single("SELECT source_text FROM sweeps"), "name: widths\n# edited\n");
}

TEST(RegisterSweep, ReplacesTheTrialListAndKeepsDroppedTrials) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  const auto extra = trial_of(config_of(512, 0.01, 1));
  store.register_sweep(sweep_named("widths"), trials);
  store.register_sweep(sweep_named("widths"), {trials[2], extra});

  const auto rows = store.list_trials("widths");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, trials[2].id);
  EXPECT_EQ(rows[1].id, extra.id);
  // Dropped trials are kept (with their curves) and listed last, in no sweep.
  const auto all = store.list_trials();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].id, trials[2].id);
  EXPECT_EQ(all[1].id, extra.id);
  EXPECT_TRUE(all[2].sweeps.empty());
  EXPECT_TRUE(all[3].sweeps.empty());
}

TEST(RegisterSweep, RefusesAKnownIdWithAnotherConfiguration) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  store.register_sweep(sweep_named("widths"), trials);
  sweeps::TrialSpec forged{trials[0].id, config_of(64, 0.5, 1)};

  EXPECT_TRUE(
      contains(store_error_of([&] { store.register_sweep(sweep_named("other"), {forged}); }),
               "is recorded with configuration"));
  EXPECT_EQ(store.sweep_names(), std::vector<std::string>{"widths"});  // rolled back
}

TEST(RegisterSweep, RefusesATrialListedTwiceAndRollsBack) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  EXPECT_TRUE(contains(store_error_of([&] {
                         store.register_sweep(sweep_named("widths"), {trials[0], trials[0]});
                       }),
                       "more than once"));
  EXPECT_TRUE(store.sweep_names().empty());
  EXPECT_TRUE(store.list_trials().empty());
}

TEST(RecordEpoch, TheSameEpochTwiceIsRefusedAndTheFirstValuesStay) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  const std::string& id = trials[0].id;
  store.register_sweep(sweep_named("widths"), trials);
  store.start_attempt(id, attempt_info());
  store.record_epoch(id, EpochRecord{1, {{"val", "acc", 0.5}}});

  // The first metric is new, the second a duplicate: the whole epoch must roll back.
  const std::string message = store_error_of([&] {
    store.record_epoch(id, EpochRecord{1, {{"train", "acc", 0.9}, {"val", "acc", 0.8}}});
  });
  EXPECT_TRUE(contains(message, "trial " + id + " epoch 1 already recorded"));

  const auto curve = store.curve(id);
  ASSERT_EQ(curve.size(), 1u);
  EXPECT_EQ(curve[0].split, "val");
  EXPECT_EQ(curve[0].value, 0.5);
  store.record_epoch(id, epoch_of(2, 0.7));  // the store is still usable
  EXPECT_EQ(store.curve(id).size(), 4u);
}

TEST(RecordEpoch, RefusesEpochZeroAndEmptyRecords) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  store.register_sweep(sweep_named("widths"), trials);
  store.start_attempt(trials[0].id, attempt_info());
  EXPECT_THROW(store.record_epoch(trials[0].id, epoch_of(0, 0.5)), StoreError);
  EXPECT_THROW(store.record_epoch(trials[0].id, EpochRecord{1, {}}), StoreError);
  EXPECT_TRUE(store.curve(trials[0].id).empty());
}

TEST(RecordEpoch, NanAndInfinityReadBack) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  const std::string& id = trials[0].id;
  store.register_sweep(sweep_named("widths"), trials);
  store.start_attempt(id, attempt_info());
  store.record_epoch(id, EpochRecord{1, {{"val", "acc", 0.3}}});
  store.record_epoch(id, EpochRecord{2,
                                     {{"train", "loss", std::numeric_limits<double>::infinity()},
                                      {"val", "acc", std::nan("")}}});

  const auto curve = store.curve(id);
  ASSERT_EQ(curve.size(), 3u);
  EXPECT_EQ(curve[1].name, "loss");
  EXPECT_EQ(curve[1].value, std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(curve[2].value));
  const auto row = store.list_trials("widths")[0];
  EXPECT_EQ(row.best_val_acc, 0.3);  // NaN never wins
  EXPECT_EQ(row.epochs_done, 2);
}

}  // namespace
}  // namespace comet::results
