#pragma once
// Runs a sweep's trials one after another in this process, recording every event in the
// store as it happens. (The multi-process scheduler of issue "Engine" replaces this.)

#include <filesystem>
#include <string>
#include <vector>

#include "comet/engine/trainer.h"
#include "comet/results/result_store.h"

namespace comet::engine {

struct RunOptions {
  std::string device = "cpu";
  std::filesystem::path data_root;
  bool rerun_failed = false;  // failed/diverged trials run again (done ones never do)
  // Trials resume from and write checkpoints here (TrainerOptions); empty: no checkpoints.
  // A trial's checkpoint is deleted once it is recorded done: a done trial never runs again.
  std::filesystem::path checkpoint_dir;
  int checkpoint_every = 1;
};

// What the runner tells whoever displays progress.
class RunReporter {
 public:
  virtual ~RunReporter() = default;
  virtual void trial_skipped(const sweeps::TrialSpec& trial, results::TrialStatus status) {}
  virtual void trial_started(int index, int total, const sweeps::TrialSpec& trial) {}
  // After trial_started, when the trial continues from its checkpoint after `epoch`.
  virtual void trial_resumed(const sweeps::TrialSpec& trial, int epoch) {}
  // Something that did not stop the trial (a checkpoint that could not be used).
  virtual void trial_warning(const sweeps::TrialSpec& trial, const std::string& text) {}
  virtual void epoch_finished(const sweeps::TrialSpec& trial, const EpochMetrics& metrics) {}
  virtual void trial_finished(const sweeps::TrialSpec& trial, const TrialResult& result) {}
};

struct RunSummary {
  int total = 0;
  int skipped = 0;  // already done (or failed, without rerun_failed)
  int done = 0;
  int failed = 0;
  int diverged = 0;
};

class SweepRunner {
 public:
  explicit SweepRunner(RunOptions options);
  ~SweepRunner();

  // Loads the datasets of `trials`; throws datasets::DatasetError before anything is written.
  void prepare(const std::vector<sweeps::TrialSpec>& trials);
  // Runs every trial not yet done. A failing trial is recorded and the sweep goes on.
  RunSummary run(const std::vector<sweeps::TrialSpec>& trials, results::ResultStore& store,
                 RunReporter& reporter);

 private:
  RunOptions options_;
  Trainer trainer_;
};

}  // namespace comet::engine
