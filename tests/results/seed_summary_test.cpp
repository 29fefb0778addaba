// summarise_best_val_acc on hand-computed values.

#include "comet/results/seed_summary.h"

#include <gtest/gtest.h>

#include "store_test_data.h"

namespace comet::results {
namespace {

using namespace test_data;
using Key = std::vector<std::pair<std::string, std::string>>;

TrialRow finished(std::int64_t width, double lr, std::int64_t seed, double best) {
  TrialRow row;
  row.config = config_of(width, lr, seed);
  row.id = sweeps::trial_id(row.config);
  row.status = TrialStatus::done;
  row.best_val_acc = best;
  return row;
}

TEST(SeedSummary, MeanAndSampleStandardDeviation) {
  const std::vector<TrialRow> trials{finished(64, 0.01, 1, 0.5), finished(64, 0.01, 2, 0.7),
                                     finished(64, 0.01, 3, 0.9)};
  const auto cells = summarise_best_val_acc(trials, {"width", "seed"});
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].key, (Key{{"width", "64"}}));
  EXPECT_EQ(cells[0].n, 3);
  EXPECT_NEAR(cells[0].mean, 0.7, 1e-12);
  EXPECT_NEAR(cells[0].stddev, 0.2, 1e-12);  // sqrt((0.04 + 0 + 0.04) / 2)
}

TEST(SeedSummary, GroupsOverSeedsInFirstSeenOrder) {
  const std::vector<TrialRow> trials{
      finished(128, 0.001, 1, 0.80), finished(64, 0.001, 1, 0.60), finished(128, 0.001, 2, 0.90),
      finished(64, 0.001, 2, 0.70),  finished(128, 0.1, 1, 0.30),
  };
  const auto cells = summarise_best_val_acc(trials, {"width", "lr", "seed"});
  ASSERT_EQ(cells.size(), 3u);
  EXPECT_EQ(cells[0].key, (Key{{"width", "128"}, {"lr", "0.001"}}));
  EXPECT_EQ(cells[0].n, 2);
  EXPECT_NEAR(cells[0].mean, 0.85, 1e-12);
  EXPECT_NEAR(cells[0].stddev, 0.0707106781186548, 1e-12);  // |0.9 - 0.8| / sqrt(2)
  EXPECT_EQ(cells[1].key, (Key{{"width", "64"}, {"lr", "0.001"}}));
  EXPECT_NEAR(cells[1].mean, 0.65, 1e-12);
  EXPECT_EQ(cells[2].key, (Key{{"width", "128"}, {"lr", "0.1"}}));
  EXPECT_EQ(cells[2].n, 1);
  EXPECT_NEAR(cells[2].mean, 0.30, 1e-12);
  EXPECT_EQ(cells[2].stddev, 0.0);
}

TEST(SeedSummary, TrialsNotDoneAreNotCounted) {
  auto failed = finished(64, 0.01, 3, 0.99);
  failed.status = TrialStatus::failed;
  auto running = finished(64, 0.01, 4, 0.95);
  running.status = TrialStatus::running;
  auto pending = finished(64, 0.01, 5, 0);
  pending.status = TrialStatus::pending;
  pending.best_val_acc.reset();
  const std::vector<TrialRow> trials{finished(64, 0.01, 1, 0.4), failed, running, pending,
                                     finished(64, 0.01, 2, 0.6)};
  const auto cells = summarise_best_val_acc(trials, {"width"});
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].n, 2);
  EXPECT_NEAR(cells[0].mean, 0.5, 1e-12);
  EXPECT_NEAR(cells[0].stddev, 0.1414213562373095, 1e-12);
}

TEST(SeedSummary, ACellWithoutFinishedTrialsHasNoValues) {
  auto pending = finished(256, 0.01, 1, 0);
  pending.status = TrialStatus::pending;
  pending.best_val_acc.reset();
  const auto cells =
      summarise_best_val_acc({finished(64, 0.01, 1, 0.5), pending}, {"width", "seed"});
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(cells[1].key, (Key{{"width", "256"}}));
  EXPECT_EQ(cells[1].n, 0);
  EXPECT_EQ(cells[1].mean, 0.0);
}

TEST(SeedSummary, NoAxesMakesOneCell) {
  const auto cells =
      summarise_best_val_acc({finished(64, 0.01, 1, 0.2), finished(128, 0.1, 2, 0.4)}, {});
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_TRUE(cells[0].key.empty());
  EXPECT_EQ(cells[0].n, 2);
  EXPECT_NEAR(cells[0].mean, 0.3, 1e-12);
}

}  // namespace
}  // namespace comet::results
