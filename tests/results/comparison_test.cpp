// comet compare's arithmetic on a fixture database: reductions per trial, mean ± sample std over
// seeds, the best per cell, and the refusals that keep a comparison honest.

#include "comet/results/comparison.h"

#include <gtest/gtest.h>

#include <cmath>

#include "temp_dir.h"

namespace comet::results {
namespace {

using comet::testing::TempDir;

// model x width x seed; val/acc per epoch = base + seed/10 with base by model and width, and a
// dip in epoch 2 so that best, final and auc differ.
class ComparisonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_ = sweeps::parse_sweep_text(
        "name: c\ndataset: mnist\nepochs: 3\nlr: 0.1\np_k: 0.5\n"
        "grid:\n  model: [comet, standard]\n  width: [8, 16]\n  seed: [0, 1, 2]\n",
        "c.yaml");
    trials_ = sweeps::expand_trials(spec_);
    store_.emplace(ResultStore::open(dir_ / "r.db"));
    store_->register_sweep(spec_, trials_);
    for (const auto& t : trials_) {
      const double base = (t.config.text("model") == "comet" ? 0.5 : 0.4) +
                          (t.config.integer("width") == 16 ? 0.2 : 0.0) +
                          static_cast<double>(t.config.integer("seed")) / 10.0;
      const auto attempt = store_->start_attempt(t.id, AttemptInfo{"h", "cpu", "v", "t", 0});
      const double acc[3] = {base - 0.1, base - 0.2, base};
      for (int e = 1; e <= 3; ++e) {
        store_->record_epoch(
            t.id, EpochRecord{e, {{"val", "acc", acc[e - 1]}, {"val", "loss", 1.0 - acc[e - 1]}}});
      }
      store_->finish_attempt(attempt, TrialStatus::done);
    }
  }
  std::vector<ComparisonCell> compare(ComparisonSpec spec) {
    return compare_trials(store_->list_trials("c"),
                          store_->metric_series("c", spec.split, spec.metric), spec);
  }
  TempDir dir_;
  sweeps::SweepSpec spec_;
  std::vector<sweeps::TrialSpec> trials_;
  std::optional<ResultStore> store_;
};

TEST_F(ComparisonTest, BestIsMeanAndSampleStdOverSeedsWithTheWinnerMarked) {
  ComparisonSpec spec;
  spec.rows = "width";
  spec.cols = "";
  const auto cells = compare(spec);
  ASSERT_EQ(cells.size(), 4u);
  // comet, width 8: best per seed = 0.5, 0.6, 0.7 -> mean 0.6, std sqrt(0.01) = 0.1.
  const auto& c8 = cells[0];
  EXPECT_EQ(c8.row, "8");
  EXPECT_EQ(c8.by, "comet");
  EXPECT_NEAR(c8.mean, 0.6, 1e-12);
  EXPECT_NEAR(c8.stddev, 0.1, 1e-12);
  EXPECT_EQ(c8.n, 3);
  EXPECT_TRUE(c8.best);
  for (const auto& c : cells) {
    EXPECT_EQ(c.best, c.by == "comet") << c.row << " " << c.by;
    if (c.by == "standard" && c.row == "16") {
      EXPECT_NEAR(c.mean, 0.7, 1e-12);
    }
  }
}

TEST_F(ComparisonTest, FinalAndAucAndLowerIsBetterForLosses) {
  ComparisonSpec spec;
  spec.cols = "";
  spec.aggregate = Aggregate::auc;
  // comet width 8 seed 0: (0.4 + 0.3 + 0.5) / 3 = 0.4; over seeds 0.4, 0.5, 0.6 -> 0.5.
  EXPECT_NEAR(compare(spec)[0].mean, 0.5, 1e-12);
  spec.metric = "loss";
  spec.aggregate = Aggregate::best;
  const auto losses = compare(spec);
  // best loss is the minimum: 1 - 0.6 = 0.4 on average for comet width 8, and comet wins.
  EXPECT_NEAR(losses[0].mean, 0.4, 1e-12);
  EXPECT_TRUE(losses[0].best);
  spec.aggregate = Aggregate::final;
  EXPECT_NEAR(compare(spec)[0].mean, 0.4, 1e-12);
  EXPECT_TRUE(lower_is_better("loss"));
  EXPECT_FALSE(lower_is_better("acc"));
}

TEST_F(ComparisonTest, AVaryingKeyLeftOutIsRefusedAndAFilterFixesIt) {
  ComparisonSpec spec;
  spec.rows = "";
  spec.cols = "";
  try {
    compare(spec);
    FAIL() << "width varies but is not compared";
  } catch (const QueryError& e) {
    EXPECT_NE(std::string(e.what()).find("'width' takes 2 values"), std::string::npos) << e.what();
  }
  const TrialFilter only8({"width=8"});
  const auto cells = compare_trials(only8.apply(store_->list_trials("c")),
                                    store_->metric_series("c", "val", "acc"), spec);
  ASSERT_EQ(cells.size(), 2u);
  spec.rows = "depth_of_nothing";
  EXPECT_THROW(compare(spec), QueryError);
}

TEST(TrialFilterTest, MatchesDisplayedTextOrTheSameNumberAndNothingElse) {
  auto config = sweeps::TrialConfig::from_json(
      R"({"lr":0.001,"model":"comet","name":"x' OR 1=1 --","width":8})");
  EXPECT_TRUE(TrialFilter({"lr=1e-3"}).matches(config));
  EXPECT_TRUE(TrialFilter({"width=8", "model=comet"}).matches(config));
  EXPECT_FALSE(TrialFilter({"width=8.5"}).matches(config));
  EXPECT_FALSE(TrialFilter({"model=com"}).matches(config));
  EXPECT_TRUE(TrialFilter({"name=x' OR 1=1 --"}).matches(config));  // literal, never SQL
  EXPECT_FALSE(TrialFilter({"name=x"}).matches(config));
  EXPECT_FALSE(TrialFilter({"missing=1"}).matches(config));
  EXPECT_THROW(TrialFilter({"no-equals"}), QueryError);
  EXPECT_THROW(aggregate_from_string("median"), QueryError);
}

// standard ignores p_k, so a p_k grid gives it one trial per seed at p_k 1 (folded): the
// comparison shows it in every p_k column that comet gives, and p_k does not count as varying.
TEST(ComparisonFoldedKeys, AnIgnoredAxisKeyPutsTheTrialInEveryColumn) {
  TempDir dir;
  const auto spec = sweeps::parse_sweep_text(
      "name: f\ndataset: mnist\nepochs: 1\nlr: 0.1\nwidth: 8\n"
      "grid:\n  model: [comet, standard]\n  p_k: [0.25, 0.5]\n  seed: [0, 1]\n",
      "f.yaml");
  const auto trials = sweeps::expand_trials(spec);
  ASSERT_EQ(trials.size(), 6u);
  auto store = ResultStore::open(dir / "r.db");
  store.register_sweep(spec, trials);
  for (const auto& t : trials) {
    const double acc = t.config.text("model") == "comet"
                           ? t.config.real("p_k")
                           : 0.1 + static_cast<double>(t.config.integer("seed")) / 10.0;
    const auto attempt = store.start_attempt(t.id, AttemptInfo{"h", "cpu", "v", "t", 0});
    store.record_epoch(t.id, EpochRecord{1, {{"val", "acc", acc}}});
    store.finish_attempt(attempt, TrialStatus::done);
  }
  ComparisonSpec question;
  question.rows = "";
  const auto cells =
      compare_trials(store.list_trials("f"), store.metric_series("f", "val", "acc"), question);
  ASSERT_EQ(cells.size(), 4u);
  for (const auto& cell : cells) {
    SCOPED_TRACE(cell.col + "/" + cell.by);
    EXPECT_TRUE(cell.col == "0.25" || cell.col == "0.5");
    EXPECT_EQ(cell.n, 2);
    if (cell.by == "standard") {
      EXPECT_NEAR(cell.mean, 0.15, 1e-12);  // seeds 0.1 and 0.2, in both columns
    } else {
      EXPECT_NEAR(cell.mean, cell.col == "0.25" ? 0.25 : 0.5, 1e-12);
    }
    EXPECT_EQ(cell.best, cell.by == "comet");  // 0.25 and 0.5 beat standard's 0.15
  }
  // Without a p_k axis the comet trials' p_k varies: that is still refused.
  question.cols = "";
  EXPECT_THROW(
      compare_trials(store.list_trials("f"), store.metric_series("f", "val", "acc"), question),
      QueryError);
}

}  // namespace
}  // namespace comet::results
