#include "train_val_split.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace comet::datasets {
namespace {

TEST(TrainValSplit, SizesDisjointCoveringAndSorted) {
  auto s = split_train_validation(1000, 0.2, 5);
  EXPECT_EQ(s.validation.size(), 200u);
  EXPECT_EQ(s.train.size(), 800u);
  std::set<std::int64_t> all(s.train.begin(), s.train.end());
  for (auto i : s.validation) EXPECT_TRUE(all.insert(i).second) << "index " << i << " in both";
  EXPECT_EQ(all.size(), 1000u);
  EXPECT_EQ(*all.begin(), 0);
  EXPECT_EQ(*all.rbegin(), 999);
  EXPECT_TRUE(std::is_sorted(s.train.begin(), s.train.end()));
  EXPECT_TRUE(std::is_sorted(s.validation.begin(), s.validation.end()));
}

TEST(TrainValSplit, DeterministicPerSeed) {
  auto a = split_train_validation(500, 0.3, 42);
  auto b = split_train_validation(500, 0.3, 42);
  auto c = split_train_validation(500, 0.3, 43);
  EXPECT_EQ(a.validation, b.validation);
  EXPECT_NE(a.validation, c.validation);
  // Pinned values: the split must never change across platforms or releases, since stored
  // results depend on it. A change here is a breaking change of every recorded curve.
  EXPECT_EQ(split_train_validation(10, 0.2, 0).validation, (std::vector<std::int64_t>{3, 6}));
  auto fashion = split_train_validation(60000, 0.2, 0);
  EXPECT_EQ(fashion.validation[0], 0);
  EXPECT_EQ(fashion.validation[1], 4);
  EXPECT_EQ(fashion.validation[11999], 59997);
}

TEST(TrainValSplit, RoundsTheValidationShare) {
  EXPECT_EQ(split_train_validation(60000, 0.2, 0).validation.size(), 12000u);
  EXPECT_EQ(split_train_validation(7, 0.5, 0).validation.size(), 4u);  // llround(3.5) == 4
}

}  // namespace
}  // namespace comet::datasets
