#include "comet/engine/trainer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "epoch_recorder.h"
#include "idx_fixture.h"
#include "temp_dir.h"

#include "comet/engine/runtime_info.h"
#include "comet/models/network.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::engine {
namespace {

using testing::TempDir;

using Recorder = testing::EpochRecorder;

std::vector<sweeps::TrialSpec> trials_of(const std::string& yaml) {
  return sweeps::expand_trials(sweeps::parse_sweep_text(yaml, "test.yaml"));
}

class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_mnist_fixture(root_ / "mnist", 400, 50);
    set_threads(2);
  }
  Trainer make_trainer() {
    return Trainer(TrainerOptions{"cpu", root_.path(), /*checkpoint_dir=*/{}, 1});
  }
  TempDir root_;
};

TEST_F(TrainerTest, CometLearnsTheFixtureAndReportsEveryEpoch) {
  auto trials = trials_of(
      "name: t\ndataset: mnist\nepochs: 3\nlr: 0.002\noptimizer: adam\nwidth: 64\np_k: 0.5\n"
      "model: comet\nbatch_size: 16\n");
  auto trainer = make_trainer();
  Recorder rec;
  auto result = trainer.run(trials.at(0), rec);
  EXPECT_EQ(result.outcome, TrialOutcome::done);
  EXPECT_EQ(result.epochs_completed, 3);
  ASSERT_EQ(rec.epochs.size(), 3u);
  EXPECT_EQ(rec.epochs[0].epoch, 1);
  EXPECT_EQ(rec.epochs[2].epoch, 3);
  EXPECT_LT(rec.epochs[2].train_loss, rec.epochs[0].train_loss);
  EXPECT_GT(rec.epochs[2].val_acc, 0.8);
  EXPECT_GT(rec.epochs[0].seconds, 0.0);
  EXPECT_EQ(rec.parameters, (784 * 64 + 64) + 2 * (64 * 64 + 64) + (64 * 10 + 10));
}

// eval_test: the test split (the fixture's 50 test images) evaluated after every epoch, or only
// after the last; never by default.
TEST_F(TrainerTest, EvalTestEvaluatesTheTestSplitWhenAsked) {
  const std::string base =
      "name: t\ndataset: mnist\nepochs: 3\nlr: 0.002\noptimizer: adam\nwidth: 32\np_k: 0.5\n"
      "model: comet\nbatch_size: 16\n";
  auto run = [&](const std::string& extra) {
    auto trainer = make_trainer();
    Recorder rec;
    EXPECT_EQ(trainer.run(trials_of(base + extra).at(0), rec).outcome, TrialOutcome::done);
    return rec.epochs;
  };
  const auto never = run("");
  const auto final_only = run("eval_test: final\n");
  const auto every = run("eval_test: every_epoch\n");
  ASSERT_EQ(every.size(), 3u);
  for (int e = 0; e < 3; ++e) {
    EXPECT_FALSE(never[e].has_test);
    EXPECT_EQ(final_only[e].has_test, e == 2);
    EXPECT_TRUE(every[e].has_test);
    // Evaluating the test split changes nothing else of the run.
    EXPECT_EQ(every[e].train_loss, never[e].train_loss);
    EXPECT_EQ(every[e].val_acc, never[e].val_acc);
    // A fraction of 50 examples, and a real cross-entropy.
    EXPECT_NEAR(every[e].test_acc * 50, std::round(every[e].test_acc * 50), 1e-9);
    EXPECT_GT(every[e].test_loss, 0.0);
  }
  EXPECT_EQ(final_only[2].test_loss, every[2].test_loss);
  EXPECT_EQ(final_only[2].test_acc, every[2].test_acc);
  EXPECT_GT(every[2].test_acc, 0.5);  // the fixture's test images are learnable like its train
}

TEST_F(TrainerTest, SameTrialTwiceGivesBitwiseIdenticalCurves) {
  auto trials = trials_of(
      "name: t\ndataset: mnist\nepochs: 2\nlr: 0.01\nwidth: 48\np_k: 0.25\nmodel: comet\n"
      "batch_size: 8\nseed: 5\n");
  Recorder a, b;
  {
    auto trainer = make_trainer();
    trainer.run(trials.at(0), a);
  }
  {
    auto trainer = make_trainer();
    trainer.run(trials.at(0), b);
  }
  ASSERT_EQ(a.epochs.size(), 2u);
  ASSERT_EQ(b.epochs.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(a.epochs[i].train_loss, b.epochs[i].train_loss);
    EXPECT_EQ(a.epochs[i].train_acc, b.epochs[i].train_acc);
    EXPECT_EQ(a.epochs[i].val_loss, b.epochs[i].val_loss);
    EXPECT_EQ(a.epochs[i].val_acc, b.epochs[i].val_acc);
  }
}

TEST_F(TrainerTest, SeedsGiveDifferentCurves) {
  auto trials = trials_of(
      "name: t\ndataset: mnist\nepochs: 1\nlr: 0.01\nwidth: 32\nmodel: comet\np_k: 0.5\n"
      "grid:\n  seed: [0, 1]\n");
  auto trainer = make_trainer();
  Recorder a, b;
  trainer.run(trials.at(0), a);
  trainer.run(trials.at(1), b);
  EXPECT_NE(a.epochs.at(0).train_loss, b.epochs.at(0).train_loss);
}

TEST_F(TrainerTest, NonFiniteLossEndsTheTrialAsDiverged) {
  auto trials = trials_of(
      "name: t\ndataset: mnist\nepochs: 3\nlr: 1.0e+30\nwidth: 32\nmodel: standard\n"
      "activation: relu\n");
  auto trainer = make_trainer();
  Recorder rec;
  auto result = trainer.run(trials.at(0), rec);
  EXPECT_EQ(result.outcome, TrialOutcome::diverged);
  EXPECT_NE(result.error.find("training loss is"), std::string::npos) << result.error;
  EXPECT_LT(result.epochs_completed, 3);
}

TEST_F(TrainerTest, LoadDatasetsReportsMissingFilesUpFront) {
  auto trials =
      trials_of("name: t\ndataset: fashion_mnist\nepochs: 1\nlr: 0.1\nwidth: 8\nmodel: comet\n");
  TempDir empty;
  Trainer trainer(TrainerOptions{"cpu", empty.path(), /*checkpoint_dir=*/{}, 1});
  // Debian's copy is the fallback for fashion_mnist; only a machine without it fails here.
  if (std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
    EXPECT_NO_THROW(trainer.load_datasets(trials));
  } else {
    EXPECT_ANY_THROW(trainer.load_datasets(trials));
  }
  auto mnist = trials_of("name: t\ndataset: mnist\nepochs: 1\nlr: 0.1\nwidth: 8\nmodel: comet\n");
  EXPECT_ANY_THROW(trainer.load_datasets(mnist));
}

TEST(RuntimeInfo, DevicesAndThreads) {
  EXPECT_TRUE(device_usable("cpu"));
  std::string why;
  EXPECT_FALSE(device_usable("tpu:0", &why));
  EXPECT_FALSE(why.empty());
  EXPECT_GE(default_threads(), 1);
  EXPECT_FALSE(torch_version().empty());
}

}  // namespace
}  // namespace comet::engine
