// The training options every model shares: schedules, gradient clipping, the regression task,
// and the whole model family through the trainer.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numbers>

#include "epoch_recorder.h"
#include "gradient_clipping.h"
#include "idx_fixture.h"
#include "lr_schedule.h"
#include "temp_dir.h"

#include "comet/engine/runtime_info.h"
#include "comet/engine/trainer.h"
#include "comet/models/network.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::engine {
namespace {

using testing::TempDir;

TEST(LrSchedule, ConstantCosineAndWarmup) {
  LrSchedule constant{"constant", 0.1, 100, 0};
  EXPECT_EQ(constant.at(0), 0.1);
  EXPECT_EQ(constant.at(99), 0.1);

  LrSchedule cosine{"cosine", 0.1, 100, 0};
  EXPECT_DOUBLE_EQ(cosine.at(0), 0.1);
  EXPECT_DOUBLE_EQ(cosine.at(50), 0.05);
  EXPECT_DOUBLE_EQ(cosine.at(25), 0.05 * (1 + std::cos(std::numbers::pi / 4)));
  EXPECT_NEAR(cosine.at(99), 0.1 * 0.5 * (1 + std::cos(std::numbers::pi * 0.99)), 1e-15);

  LrSchedule warm{"warmup_cosine", 0.1, 110, 10};
  EXPECT_DOUBLE_EQ(warm.at(0), 0.01);  // (0 + 1) / 10 of the base
  EXPECT_DOUBLE_EQ(warm.at(4), 0.05);
  EXPECT_DOUBLE_EQ(warm.at(9), 0.1);
  EXPECT_DOUBLE_EQ(warm.at(10), 0.1);  // the cosine starts at the top
  EXPECT_DOUBLE_EQ(warm.at(60), 0.05);
  // More warm-up steps than steps: the whole run warms up.
  LrSchedule all_warmup{"warmup_cosine", 0.1, 4, 10};
  EXPECT_DOUBLE_EQ(all_warmup.at(1), 0.05);
}

TEST(GradientClipping, NormScalesAllGradientsTogetherValueClampsEach) {
  auto a = torch::zeros({2}, torch::requires_grad());
  auto b = torch::zeros({1}, torch::requires_grad());
  a.mutable_grad() = torch::tensor({3.0f, 0.0f});
  b.mutable_grad() = torch::tensor({4.0f});  // global norm 5
  clip_gradients({a, b}, "norm", 1.0);
  EXPECT_NEAR(a.grad()[0].item<float>(), 0.6f, 1e-6);
  EXPECT_NEAR(b.grad()[0].item<float>(), 0.8f, 1e-6);
  clip_gradients({a, b}, "norm", 10.0);  // under the threshold: unchanged
  EXPECT_NEAR(a.grad()[0].item<float>(), 0.6f, 1e-6);

  a.mutable_grad() = torch::tensor({3.0f, -0.2f});
  b.mutable_grad() = torch::tensor({-4.0f});
  clip_gradients({a, b}, "value", 0.5);
  EXPECT_TRUE(torch::equal(a.grad(), torch::tensor({0.5f, -0.2f})));
  EXPECT_TRUE(torch::equal(b.grad(), torch::tensor({-0.5f})));
}

class TrainingOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    comet::testing::write_mnist_fixture(root_ / "mnist", 400, 50);
    set_threads(1);
  }
  std::vector<sweeps::TrialSpec> trials(const std::string& yaml) {
    return sweeps::expand_trials(sweeps::parse_sweep_text(yaml, "test.yaml"));
  }
  using Recorder = testing::EpochRecorder;
  Recorder run(const sweeps::TrialSpec& trial) {
    Trainer trainer(TrainerOptions{"cpu", root_.path(), /*checkpoint_dir=*/{}, 1});
    Recorder rec;
    auto result = trainer.run(trial, rec);
    EXPECT_EQ(result.outcome, TrialOutcome::done) << result.error;
    return rec;
  }
  TempDir root_;
};

TEST_F(TrainingOptionsTest, EveryModelTrainsThroughTheTrainer) {
  auto all = trials(
      "name: t\ndataset: mnist\nepochs: 3\nlr: 0.002\noptimizer: adam\nwidth: 40\np_k: 0.5\n"
      "grid:\n  model: [comet, standard, smaller, dropout, topk, moe, moe_fixed, layerwise, "
      "bernoulli, example_tied, l1]\n");
  ASSERT_EQ(all.size(), 11u);
  for (const auto& trial : all) {
    auto rec = run(trial);
    ASSERT_EQ(rec.epochs.size(), 3u) << trial.config.text("model");
    EXPECT_GT(rec.epochs[2].val_acc, 0.5) << trial.config.text("model");
    EXPECT_GT(rec.parameters, 0);
  }
}

TEST_F(TrainingOptionsTest, ScheduleNormClipAndRegressionChangeTheRunAndStillLearn) {
  const std::string base =
      "name: t\ndataset: mnist\nepochs: 2\nlr: 0.5\nwidth: 32\np_k: 0.5\nmodel: comet\n";
  const auto plain = run(trials(base).at(0));
  for (const std::string extra :
       {"schedule: cosine\n", "schedule: warmup_cosine\nwarmup_steps: 20\n", "norm: batch\n",
        "norm: layer\n", "grad_clip: 0.5\n", "grad_clip: 0.005\ngrad_clip_mode: value\n",
        "task: regression\nlr: 2\n"}) {
    std::string yaml = base;
    if (extra.find("lr:") != std::string::npos) yaml.replace(yaml.find("lr: 0.5\n"), 8, "");
    auto rec = run(trials(yaml + extra).at(0));
    ASSERT_EQ(rec.epochs.size(), 2u) << extra;
    EXPECT_NE(rec.epochs[1].train_loss, plain.epochs[1].train_loss) << extra;
    EXPECT_TRUE(std::isfinite(rec.epochs[1].val_loss)) << extra;
    EXPECT_GT(rec.epochs[1].val_acc, 0.3) << extra;
  }
}

TEST_F(TrainingOptionsTest, RegressionLossIsTheMeanSquaredErrorAgainstOneHotTargets) {
  // With a tiny lr the network hardly moves, so epoch 1 reports the loss of the initial weights:
  // cross-entropy near log(10) = 2.3 for classification; for regression the mean over the 10
  // outputs of (o - onehot)^2, about (sum o^2 + 1) / 10 for small initial outputs o.
  const std::string base =
      "name: t\ndataset: mnist\nepochs: 1\nlr: 1.0e-9\nwidth: 32\nmodel: standard\n";
  auto classification = run(trials(base).at(0));
  auto regression = run(trials(base + "task: regression\n").at(0));
  EXPECT_NEAR(classification.epochs[0].train_loss, std::log(10.0), 0.3);
  EXPECT_GT(regression.epochs[0].train_loss, 0.1);
  EXPECT_LT(regression.epochs[0].train_loss, 0.5);
  // The validation loss is the same quantity on held-out examples.
  EXPECT_NEAR(regression.epochs[0].val_loss, regression.epochs[0].train_loss, 0.05);
}

TEST_F(TrainingOptionsTest, RealValuedTargetsTrainWithMseAndReportNoAccuracy) {
  std::filesystem::create_directories(root_ / "csv");
  {
    std::ofstream out(root_ / "csv" / "line.csv");
    out << "x1,x2,y\n";
    for (int i = 0; i < 200; ++i)
      out << (i % 13) << "," << (i % 7) << "," << 0.5 * (i % 13) - (i % 7) << "\n";
  }
  const std::string yaml =
      "name: t\ndataset: csv\ncsv.file: line.csv\ncsv.target: y\nepochs: 5\nlr: 0.01\n"
      "optimizer: adam\nwidth: 16\nmodel: standard\n";
  auto rec = run(trials(yaml + "task: regression\n").at(0));
  ASSERT_EQ(rec.epochs.size(), 5u);
  EXPECT_FALSE(rec.epochs[0].has_accuracy);
  EXPECT_LT(rec.epochs[4].val_loss, rec.epochs[0].val_loss);
}

}  // namespace
}  // namespace comet::engine
