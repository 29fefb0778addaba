// Checkpoints through the Trainer: a trial interrupted after an epoch and run again continues
// from its checkpoint with a curve equal, bit for bit, to an uninterrupted run's; a checkpoint
// that cannot be used (truncated, another trial or configuration) is reported and ignored.

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "idx_fixture.h"
#include "temp_dir.h"

#include "comet/engine/runtime_info.h"
#include "comet/engine/trainer.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::engine {
namespace {

using testing::TempDir;

// Stands for the process being killed right after an epoch was stored.
struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted") {}
};

class CheckpointRecorder : public TrialObserver {
 public:
  explicit CheckpointRecorder(int stop_after = 0) : stop_after_(stop_after) {}
  void on_resume(int epoch) override { resumed = epoch; }
  void on_warning(const std::string& text) override { warnings.push_back(text); }
  void on_epoch(const EpochMetrics& m) override {
    epochs.push_back(m);
    if (m.epoch == stop_after_) throw Interrupted();
  }
  int resumed = 0;
  std::vector<std::string> warnings;
  std::vector<EpochMetrics> epochs;

 private:
  int stop_after_;
};

sweeps::TrialSpec trial_of(const std::string& yaml) {
  return sweeps::expand_trials(sweeps::parse_sweep_text(yaml, "test.yaml")).at(0);
}

void expect_same_curve(const std::vector<EpochMetrics>& got,
                       const std::vector<EpochMetrics>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("epoch " + std::to_string(want[i].epoch));
    EXPECT_EQ(got[i].epoch, want[i].epoch);
    EXPECT_EQ(got[i].train_loss, want[i].train_loss);
    EXPECT_EQ(got[i].train_acc, want[i].train_acc);
    EXPECT_EQ(got[i].val_loss, want[i].val_loss);
    EXPECT_EQ(got[i].val_acc, want[i].val_acc);
  }
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_mnist_fixture(data_ / "mnist", 400, 50);
    set_threads(2);
  }
  TrainerOptions options(int every = 1) const {
    return TrainerOptions{"cpu", data_.path(), checkpoints_.path(), every};
  }
  // The curve of a run without checkpoints.
  std::vector<EpochMetrics> reference(const sweeps::TrialSpec& trial) {
    Trainer trainer(TrainerOptions{"cpu", data_.path(), /*checkpoint_dir=*/{}, 1});
    CheckpointRecorder rec;
    EXPECT_EQ(trainer.run(trial, rec).outcome, TrialOutcome::done);
    return rec.epochs;
  }
  // Interrupts the trial after epoch `stop_after`, then runs it again with a new Trainer (a new
  // process); returns the curve as the store would hold it: the first run's epochs up to the
  // checkpoint, then the second run's.
  std::vector<EpochMetrics> interrupted_then_resumed(const sweeps::TrialSpec& trial, int stop_after,
                                                     int every) {
    CheckpointRecorder first(stop_after);
    {
      Trainer trainer(options(every));
      EXPECT_THROW(trainer.run(trial, first), Interrupted);
    }
    const int checkpointed = (stop_after - 1) / every * every;
    CheckpointRecorder second;
    Trainer trainer(options(every));
    EXPECT_EQ(trainer.checkpoint_epoch(trial), checkpointed);
    const auto result = trainer.run(trial, second);
    EXPECT_EQ(result.outcome, TrialOutcome::done);
    EXPECT_EQ(result.resumed_from_epoch, checkpointed);
    EXPECT_EQ(second.resumed, checkpointed);
    EXPECT_TRUE(second.warnings.empty());
    std::vector<EpochMetrics> curve(first.epochs.begin(), first.epochs.begin() + checkpointed);
    curve.insert(curve.end(), second.epochs.begin(), second.epochs.end());
    return curve;
  }
  std::filesystem::path checkpoint_of(const sweeps::TrialSpec& trial) const {
    return checkpoints_ / (trial.id + ".ckpt");
  }
  TempDir data_;
  TempDir checkpoints_;
};

TEST_F(CheckpointTest, CometWithSgdMomentumAndCosineResumesBitForBit) {
  const auto trial = trial_of(
      "name: t\ndataset: mnist\nepochs: 4\nlr: 0.05\noptimizer: sgd_momentum\nschedule: cosine\n"
      "width: 32\np_k: 0.5\nmodel: comet\nbatch_size: 16\nseed: 3\n");
  const auto want = reference(trial);
  expect_same_curve(interrupted_then_resumed(trial, 3, 1), want);
  // Written atomically: the checkpoint after the last epoch, no temporary file beside it.
  EXPECT_TRUE(std::filesystem::exists(checkpoint_of(trial)));
  EXPECT_FALSE(std::filesystem::exists(checkpoint_of(trial).string() + ".tmp"));
}

// Adam's moments and step counts, the global generator (dropout) and BatchNorm's running
// statistics (buffers) must all come back.
TEST_F(CheckpointTest, DropoutWithAdamBatchNormAndCosineResumesBitForBit) {
  const auto trial = trial_of(
      "name: t\ndataset: mnist\nepochs: 4\nlr: 0.002\noptimizer: adam\nschedule: cosine\n"
      "norm: batch\nwidth: 32\np_k: 0.5\nmodel: dropout\nbatch_size: 16\nseed: 7\n");
  const auto want = reference(trial);
  expect_same_curve(interrupted_then_resumed(trial, 3, 1), want);
}

// The crops and flips are drawn from (seed, epoch, example id), so a resumed epoch sees the
// images the uninterrupted run saw.
TEST_F(CheckpointTest, AugmentedTrainingResumesBitForBit) {
  const auto trial = trial_of(
      "name: t\ndataset: mnist\nepochs: 4\nlr: 0.002\noptimizer: adam\nschedule: cosine\n"
      "augment: crop_flip\nwidth: 32\np_k: 0.5\nmodel: comet\nbatch_size: 16\nseed: 4\n");
  const auto want = reference(trial);
  expect_same_curve(interrupted_then_resumed(trial, 3, 1), want);
}

// The same for a ViT and a Mixer (issue 15): crops, flips, the blocks' dropout (drawn from
// torch's generator, which the checkpoint restores), Adam's state and the routing buffers.
TEST_F(CheckpointTest, AugmentedVisionTransformersResumeBitForBit) {
  for (const std::string arch_keys :
       {"arch: vit\ndim: 16\nheads: 2\ndim_head: 8\n", "arch: mixer\ndim: 16\n"}) {
    SCOPED_TRACE(arch_keys);
    const auto trial = trial_of(
        "name: t\ndataset: mnist\nepochs: 3\nlr: 0.002\noptimizer: adam\nschedule: cosine\n"
        "augment: crop_flip\ndepth: 2\npatch: 7\nwidth: 32\np_k: 0.5\nmodel: comet\n"
        "activation: tanh\nbatch_size: 32\nseed: 5\n" +
        arch_keys);
    const auto want = reference(trial);
    ASSERT_EQ(want.size(), 3U);
    expect_same_curve(interrupted_then_resumed(trial, 2, 1), want);
  }
}

TEST_F(CheckpointTest, EveryOtherEpochResumesFromTheLastCheckpointWritten) {
  const auto trial = trial_of(
      "name: t\ndataset: mnist\nepochs: 5\nlr: 0.002\noptimizer: adam\nschedule: cosine\n"
      "norm: batch\nwidth: 32\np_k: 0.5\nmodel: dropout\nbatch_size: 16\nseed: 1\n");
  const auto want = reference(trial);
  // Stopped after epoch 4, whose checkpoint was not yet written: it resumes after epoch 2.
  expect_same_curve(interrupted_then_resumed(trial, 4, 2), want);
}

TEST_F(CheckpointTest, CheckpointEveryZeroWritesNone) {
  const auto trial =
      trial_of("name: t\ndataset: mnist\nepochs: 2\nlr: 0.01\nwidth: 16\nmodel: comet\np_k: 0.5\n");
  Trainer trainer(options(0));
  CheckpointRecorder rec;
  EXPECT_EQ(trainer.run(trial, rec).outcome, TrialOutcome::done);
  EXPECT_FALSE(std::filesystem::exists(checkpoint_of(trial)));
  EXPECT_EQ(trainer.checkpoint_epoch(trial), 0);
}

TEST_F(CheckpointTest, TruncatedCheckpointIsReportedAndTheTrialStartsOver) {
  const auto trial = trial_of(
      "name: t\ndataset: mnist\nepochs: 3\nlr: 0.002\noptimizer: adam\nnorm: batch\n"
      "width: 32\np_k: 0.5\nmodel: dropout\nbatch_size: 16\n");
  const auto want = reference(trial);
  {
    Trainer trainer(options());
    CheckpointRecorder first(2);
    EXPECT_THROW(trainer.run(trial, first), Interrupted);
  }
  const auto file = checkpoint_of(trial);
  ASSERT_TRUE(std::filesystem::exists(file));
  std::filesystem::resize_file(file, std::filesystem::file_size(file) / 2);

  Trainer trainer(options());
  CheckpointRecorder rec;
  const auto result = trainer.run(trial, rec);
  EXPECT_EQ(result.outcome, TrialOutcome::done);
  EXPECT_EQ(result.resumed_from_epoch, 0);
  EXPECT_EQ(rec.resumed, 0);
  ASSERT_EQ(rec.warnings.size(), 1u);
  EXPECT_NE(rec.warnings[0].find("not used"), std::string::npos) << rec.warnings[0];
  EXPECT_NE(rec.warnings[0].find(file.string()), std::string::npos) << rec.warnings[0];
  expect_same_curve(rec.epochs, want);

  // checkpoint_epoch reports the same through its warning; the new, whole checkpoint replaced
  // the truncated one.
  std::filesystem::resize_file(file, 10);
  std::string warning;
  EXPECT_EQ(trainer.checkpoint_epoch(trial, &warning), 0);
  EXPECT_NE(warning.find("not used"), std::string::npos) << warning;
}

TEST_F(CheckpointTest, CheckpointOfAnotherTrialOrConfigurationIsNotUsed) {
  const std::string base =
      "name: t\ndataset: mnist\nepochs: 3\nlr: 0.01\noptimizer: sgd_momentum\nwidth: 16\n"
      "model: comet\np_k: 0.5\nbatch_size: 16\n";
  const auto a = trial_of(base + "seed: 0\n");
  const auto b = trial_of(base + "seed: 1\n");
  {
    Trainer trainer(options());
    CheckpointRecorder first(3);
    EXPECT_THROW(trainer.run(a, first), Interrupted);
  }
  // A's checkpoint (after epoch 2) under B's name.
  std::filesystem::copy_file(checkpoint_of(a), checkpoint_of(b));
  std::string warning;
  Trainer trainer(options());
  EXPECT_EQ(trainer.checkpoint_epoch(b, &warning), 0);
  EXPECT_NE(warning.find("belongs to trial " + a.id), std::string::npos) << warning;
  CheckpointRecorder rec;
  EXPECT_EQ(trainer.run(b, rec).resumed_from_epoch, 0);
  expect_same_curve(rec.epochs, reference(b));

  // A's id with another configuration (as if ids collided) is refused too.
  auto forged = b;
  forged.id = a.id;
  EXPECT_EQ(trainer.checkpoint_epoch(forged, &warning), 0);
  EXPECT_NE(warning.find("another configuration"), std::string::npos) << warning;
  // ... while A itself still resumes from it.
  EXPECT_EQ(trainer.checkpoint_epoch(a, &warning), 2);
  EXPECT_TRUE(warning.empty()) << warning;
}

}  // namespace
}  // namespace comet::engine
