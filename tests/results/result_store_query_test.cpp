// Reading back: trial lists with their numbers, sweeps, curves and hostile text.

#include <gtest/gtest.h>

#include "store_test_data.h"
#include "temp_dir.h"

#include "comet/results/result_store.h"
#include "comet/results/seed_summary.h"

namespace comet::results {
namespace {

using comet::testing::TempDir;
using namespace test_data;

TEST(ListTrials, BestFinalAndEpochsDoneFromKnownValues) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  const std::string& id = trials[0].id;
  store.register_sweep(sweep_named("widths"), trials);
  const auto attempt = store.start_attempt(id, attempt_info());
  store.record_epoch(id, epoch_of(1, 0.40, 2.0));
  store.record_epoch(id, epoch_of(2, 0.80, 1.0));
  store.record_epoch(id, epoch_of(3, 0.60, 0.5));
  store.finish_attempt(attempt, TrialStatus::done);

  const auto rows = store.list_trials("widths");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].epochs_done, 3);
  EXPECT_EQ(rows[0].best_val_acc, 0.80);
  EXPECT_EQ(rows[0].final_val_acc, 0.60);
  EXPECT_EQ(rows[1].epochs_done, 0);
  EXPECT_FALSE(rows[1].best_val_acc.has_value());
  EXPECT_FALSE(rows[1].final_val_acc.has_value());
}

TEST(ListTrials, ATrialInTwoSweepsNamesBothAndIsListedOnce) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  const auto only_beta = trial_of(config_of(1024, 0.01, 1));
  store.register_sweep(sweep_named("beta"), {only_beta, trials[0]});
  store.register_sweep(sweep_named("alpha"), {trials[0], trials[1], trials[2]});

  const auto beta = store.list_trials("beta");
  ASSERT_EQ(beta.size(), 2u);
  EXPECT_EQ(beta[0].id, only_beta.id);
  EXPECT_EQ(beta[0].sweeps, std::vector<std::string>{"beta"});
  EXPECT_EQ(beta[1].id, trials[0].id);
  EXPECT_EQ(beta[1].sweeps, (std::vector<std::string>{"alpha", "beta"}));

  // All sweeps: by sweep name, then position; the shared trial once, under alpha.
  const auto all = store.list_trials();
  std::vector<std::string> ids;
  for (const auto& row : all) ids.push_back(row.id);
  EXPECT_EQ(ids,
            (std::vector<std::string>{trials[0].id, trials[1].id, trials[2].id, only_beta.id}));
  EXPECT_EQ(all[0].sweeps, (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(store.sweep_names(), (std::vector<std::string>{"alpha", "beta"}));
}

TEST(ListTrials, UnknownSweepNamesTheKnownOnes) {
  TempDir dir;
  const auto path = dir / "results.db";
  auto store = ResultStore::open(path);
  EXPECT_EQ(store_error_of([&] { store.list_trials("nope"); }),
            "no sweep named 'nope' in " + path.string() + "; known: none");
  store.register_sweep(sweep_named("beta"), three_trials());
  store.register_sweep(sweep_named("alpha"), three_trials());
  EXPECT_EQ(store_error_of([&] { store.list_trials("nope"); }),
            "no sweep named 'nope' in " + path.string() + "; known: alpha, beta");
}

TEST(Curve, OrderedByEpochSplitAndName) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  const std::string& id = trials[0].id;
  store.register_sweep(sweep_named("widths"), trials);
  store.start_attempt(id, attempt_info());
  store.record_epoch(id, EpochRecord{2, {{"val", "loss", 0.9}, {"train", "loss", 1.1}}});
  store.record_epoch(
      id, EpochRecord{1, {{"val", "acc", 0.3}, {"train", "loss", 1.5}, {"val", "loss", 1.2}}});

  const auto curve = store.curve(id);
  ASSERT_EQ(curve.size(), 5u);
  const std::vector<std::tuple<int, std::string, std::string, double>> expected{
      {1, "train", "loss", 1.5},
      {1, "val", "acc", 0.3},
      {1, "val", "loss", 1.2},
      {2, "train", "loss", 1.1},
      {2, "val", "loss", 0.9}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(curve[i].epoch, std::get<0>(expected[i]));
    EXPECT_EQ(curve[i].split, std::get<1>(expected[i]));
    EXPECT_EQ(curve[i].name, std::get<2>(expected[i]));
    EXPECT_EQ(curve[i].value, std::get<3>(expected[i]));
  }
  EXPECT_TRUE(store.curve("ffffffffffffffff").empty());
}

TEST(StoredText, SqlLookingTextIsStoredLiterally) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const std::string name = "x'; DROP TABLE trials; --";
  auto spec = sweep_named(name);
  spec.source_text = "name: \"x'; DROP TABLE trials; --\"\n# it's \"quoted\"\n";
  auto config = config_of(64, 0.01, 1);
  config.set("note", std::string("Robert'); DROP TABLE sweeps;-- \"\\"));
  const auto trial = trial_of(config);
  store.register_sweep(spec, {trial});

  EXPECT_EQ(store.sweep_names(), std::vector<std::string>{name});
  const auto rows = store.list_trials(name);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].sweeps, std::vector<std::string>{name});
  EXPECT_EQ(rows[0].config.text("note"), "Robert'); DROP TABLE sweeps;-- \"\\");
  store.start_attempt(trial.id, attempt_info());
  store.record_epoch(trial.id, EpochRecord{1, {{"val'--", "acc\"", 0.25}}});
  EXPECT_EQ(store.curve(trial.id)[0].split, "val'--");

  RawConnection raw(dir / "results.db");
  EXPECT_EQ(raw.single("SELECT source_text FROM sweeps"), spec.source_text);
  EXPECT_EQ(raw.single("SELECT count(*) FROM sqlite_schema WHERE type = 'table'"), "7");
}

TEST(SeedSummary, FromTheStoreCountsOnlyFinishedTrials) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  std::vector<sweeps::TrialSpec> trials;
  for (std::int64_t seed : {1, 2, 3, 4}) trials.push_back(trial_of(config_of(64, 0.01, seed)));
  store.register_sweep(sweep_named("seeds"), trials);
  const double best[] = {0.5, 0.7, 0.9, 0.99};
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const auto attempt = store.start_attempt(trials[i].id, attempt_info());
    store.record_epoch(trials[i].id, epoch_of(1, best[i] - 0.1));
    store.record_epoch(trials[i].id, epoch_of(2, best[i]));
    // The last seed fails after its epochs: it has a best value but must not count.
    store.finish_attempt(attempt, i < 3 ? TrialStatus::done : TrialStatus::failed,
                         i < 3 ? "" : "killed");
  }

  const auto cells = summarise_best_val_acc(store.list_trials("seeds"), {"width", "seed"});
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].key, (std::vector<std::pair<std::string, std::string>>{{"width", "64"}}));
  EXPECT_EQ(cells[0].n, 3);
  EXPECT_NEAR(cells[0].mean, 0.7, 1e-12);
  EXPECT_NEAR(cells[0].stddev, 0.2, 1e-12);
}

}  // namespace
}  // namespace comet::results
