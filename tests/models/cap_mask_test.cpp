#include "cap_mask.h"

#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

namespace comet::models {
namespace {

TEST(CapMask, KeepsExactlyKLargestPerRow) {
  torch::manual_seed(7);
  auto v = torch::randn({64, 100});
  for (std::int64_t k : {1, 10, 50, 99, 100}) {
    auto m = cap_mask(v, k);
    EXPECT_TRUE(m.sum(1).eq(static_cast<double>(k)).all().item<bool>()) << "k=" << k;
    // Every kept value is >= every dropped value of its row.
    auto kept_min = v.masked_fill(m.eq(0), INFINITY).amin(1);
    auto dropped_max = v.masked_fill(m.eq(1), -INFINITY).amax(1);
    EXPECT_TRUE(kept_min.ge(dropped_max).all().item<bool>()) << "k=" << k;
  }
}

TEST(CapMask, TiesGoToTheLowerIndex) {
  auto v =
      torch::tensor({{1.0f, 3.0f, 3.0f, 2.0f}, {5.0f, 5.0f, 5.0f, 5.0f}, {0.0f, 2.0f, 2.0f, 2.0f}});
  auto m = cap_mask(v, 2);
  auto expected =
      torch::tensor({{0.0f, 1.0f, 1.0f, 0.0f}, {1.0f, 1.0f, 0.0f, 0.0f}, {0.0f, 1.0f, 1.0f, 0.0f}});
  EXPECT_TRUE(torch::equal(m, expected)) << m;
  auto m1 = cap_mask(v, 1);
  EXPECT_TRUE(torch::equal(
      m1, torch::tensor(
              {{0.0f, 1.0f, 0.0f, 0.0f}, {1.0f, 0.0f, 0.0f, 0.0f}, {0.0f, 1.0f, 0.0f, 0.0f}})));
}

// The row kernel of the routing network against cap_mask: random rows, rows full of ties
// (small integers), every k, and rows with NaN (the generic path).
TEST(CapInPlace, EqualsCapMaskAndZeroesTheDropped) {
  auto gen = at::detail::createCPUGenerator(17);
  std::vector<torch::Tensor> inputs{torch::randn({64, 100}, gen),
                                    torch::randint(0, 4, {64, 100}, gen).to(torch::kFloat32)};
  auto with_nan = torch::randn({8, 100}, gen);
  with_nan[3][7] = NAN;
  with_nan[5][0] = INFINITY;
  inputs.push_back(with_nan);
  for (const auto& v : inputs) {
    for (std::int64_t k : {1, 2, 37, 50, 99, 100}) {
      auto c = v.clone();
      const auto m = cap_in_place(c, k);
      const auto want = cap_mask(v, k);
      ASSERT_EQ(m.scalar_type(), torch::kBool);
      EXPECT_TRUE(torch::equal(m, want.to(torch::kBool))) << "k=" << k;
      // NaN * 0 is NaN on either path: compared with equal_nan.
      EXPECT_TRUE(torch::allclose(c, v * want, 0, 0, /*equal_nan=*/true)) << "k=" << k;
    }
  }
}

TEST(CapMask, KeepsDtypeAndRejectsBadK) {
  auto v = torch::randn({3, 5}, torch::kFloat64);
  EXPECT_EQ(cap_mask(v, 2).scalar_type(), torch::kFloat64);
  EXPECT_THROW(cap_mask(v, 0), c10::Error);
  EXPECT_THROW(cap_mask(v, 6), c10::Error);
}

}  // namespace
}  // namespace comet::models
