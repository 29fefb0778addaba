// The trainer's fast paths give the curves of the plain path: the fused SGD step against
// autograd + torch::optim::SGD, and comet's cached per-example masks against routing every step.

#include <gtest/gtest.h>

#include "epoch_recorder.h"
#include "idx_fixture.h"
#include "temp_dir.h"

#include "comet/engine/runtime_info.h"
#include "comet/engine/trainer.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::engine {
namespace {

using testing::TempDir;

class HotPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_mnist_fixture(root_ / "mnist", 300, 40);
    set_threads(1);
  }
  std::vector<EpochMetrics> curves(const std::string& yaml, bool fused, std::int64_t cache) {
    auto trials = sweeps::expand_trials(sweeps::parse_sweep_text(yaml, "hot.yaml"));
    TrainerOptions options{"cpu", root_.path(), {}, 1};
    options.fused_sgd = fused;
    options.mask_cache_bytes = cache;
    Trainer trainer(options);
    testing::EpochRecorder rec;
    EXPECT_EQ(trainer.run(trials.at(0), rec).outcome, TrialOutcome::done);
    return rec.epochs;
  }
  TempDir root_;
};

const std::string kComet =
    "name: h\ndataset: mnist\nepochs: 3\nlr: 0.02\nweight_decay: 0.001\nwidth: 40\np_k: 0.3\n"
    "model: comet\nbatch_size: 16\nseed: 2\n";

TEST_F(HotPathTest, CachedMasksGiveTheRoutedCurvesBitForBit) {
  // Autograd both times, so the masks are the only difference.
  const auto routed = curves(kComet, false, 0);
  const auto cached = curves(kComet, false, std::int64_t{1} << 30);
  ASSERT_EQ(routed.size(), 3U);
  ASSERT_EQ(cached.size(), 3U);
  for (std::size_t e = 0; e < 3; ++e) {
    EXPECT_EQ(cached[e].train_loss, routed[e].train_loss) << e;
    EXPECT_EQ(cached[e].val_loss, routed[e].val_loss) << e;
    EXPECT_EQ(cached[e].val_acc, routed[e].val_acc) << e;
  }
}

// With augment: crop_flip an example's input differs every epoch, so its masks must be routed
// every step even where the cache would fit: the curves equal those of a run with no cache at
// all, and differ from the un-augmented run's.
TEST_F(HotPathTest, CachedMasksAreRefusedWhenAugmenting) {
  const auto augmented = kComet + "augment: crop_flip\n";
  const auto with_cache_allowed = curves(augmented, false, std::int64_t{1} << 30);
  const auto without_cache = curves(augmented, false, 0);
  const auto plain = curves(kComet, false, std::int64_t{1} << 30);
  ASSERT_EQ(with_cache_allowed.size(), 3U);
  for (std::size_t e = 0; e < 3; ++e) {
    EXPECT_EQ(with_cache_allowed[e].train_loss, without_cache[e].train_loss) << e;
    EXPECT_EQ(with_cache_allowed[e].val_loss, without_cache[e].val_loss) << e;
  }
  EXPECT_NE(with_cache_allowed[0].train_loss, plain[0].train_loss);
}

TEST_F(HotPathTest, FusedSgdFollowsAutogradWithinRounding) {
  for (const std::string model : {"comet", "standard", "dropout"}) {
    SCOPED_TRACE(model);
    auto yaml = kComet;
    yaml.replace(yaml.find("model: comet"), 12, "model: " + model);
    const auto plain = curves(yaml, false, 0);
    const auto fused = curves(yaml, true, std::int64_t{1} << 30);
    ASSERT_EQ(plain.size(), 3U);
    ASSERT_EQ(fused.size(), 3U);
    for (std::size_t e = 0; e < 3; ++e) {
      EXPECT_NEAR(fused[e].train_loss, plain[e].train_loss, 1e-4 * plain[e].train_loss) << e;
      EXPECT_NEAR(fused[e].val_loss, plain[e].val_loss, 1e-4 * plain[e].val_loss) << e;
    }
    EXPECT_LT(fused[2].train_loss, fused[0].train_loss);  // it learns
  }
}

TEST_F(HotPathTest, FusedPathIsDeterministic) {
  const auto a = curves(kComet, true, std::int64_t{1} << 30);
  const auto b = curves(kComet, true, std::int64_t{1} << 30);
  for (std::size_t e = 0; e < 3; ++e) {
    EXPECT_EQ(a[e].train_loss, b[e].train_loss);
    EXPECT_EQ(a[e].val_acc, b[e].val_acc);
  }
}

}  // namespace
}  // namespace comet::engine
