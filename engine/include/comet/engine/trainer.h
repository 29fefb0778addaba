#pragma once
// Trainer: runs one trial (dataset, model, optimizer, epochs) and reports each epoch.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "comet/sweeps/sweep_spec.h"

namespace comet::engine {

// A metric of a record beyond the fixed ones, stored as it is (results::Metric).
struct ExtraMetric {
  std::string split;  // "train", "val", "test", "epoch"
  std::string name;
  double value = 0;
  friend bool operator==(const ExtraMetric&, const ExtraMetric&) = default;
};

struct EpochMetrics {
  int epoch = 0;                         // 1-based
  double train_loss = 0, train_acc = 0;  // means over the epoch's training examples
  double val_loss = 0, val_acc = 0;      // on the validation split, evaluation mode
  bool has_accuracy = true;              // false for real-valued targets: the accs are 0
  double seconds = 0;                    // wall time of the epoch, evaluation included
  // The test split, evaluated as the trial's eval_test says (after every epoch, or after the
  // last one); has_test is false in the epochs it was not.
  bool has_test = false;
  double test_loss = 0, test_acc = 0;
  // Step-based training (arch gpt2): a record (`epoch` above) is an evaluation point every
  // eval_every optimizer steps. step: optimizer steps done at it; total_records: the records the
  // trial makes in all (0: one per epoch). extra: the record's other metrics (perplexities,
  // tokens seen, tokens per second, the learning rate, the step again as epoch/step).
  std::int64_t step = 0;
  int total_records = 0;
  std::vector<ExtraMetric> extra;
};

// interrupted: the observer asked to stop (should_stop) or refused a checkpoint (may_checkpoint).
enum class TrialOutcome { done, failed, diverged, interrupted };

struct TrialResult {
  TrialOutcome outcome = TrialOutcome::done;
  std::string error;  // why it failed or diverged
  int epochs_completed = 0;
  int resumed_from_epoch = 0;  // epochs its checkpoint covered (0: it started from scratch)
};

class TrialObserver {
 public:
  virtual ~TrialObserver() = default;
  virtual void on_model_built(std::int64_t trainable_parameters) {}
  // Before the first epoch of a trial that continues from its checkpoint: epochs 1..epoch are
  // not run (nor reported) again.
  virtual void on_resume(int epoch) {}
  // A problem that did not stop the trial, e.g. a checkpoint that could not be used.
  virtual void on_warning(const std::string& text) {}
  virtual void on_epoch(const EpochMetrics& metrics) = 0;
  // Asked before every training step: true ends the trial as `interrupted`, abandoning the
  // epoch in progress (its last checkpoint is where it resumes).
  virtual bool should_stop() { return false; }
  // Asked after on_epoch(epoch), before that epoch's checkpoint is written: false ends the
  // trial as `interrupted` without writing it (the epoch was not committed by whoever stores it).
  virtual bool may_checkpoint(int epoch) { return true; }
  virtual void on_checkpoint(int epoch) {}  // the checkpoint after `epoch` is on disk
};

struct TrainerOptions {
  std::string device = "cpu";
  std::filesystem::path data_root;  // empty: the datasets layer's default
  // Checkpoints (docs/engine.md): `<checkpoint_dir>/<trial id>.ckpt`, written after every
  // `checkpoint_every`-th epoch but the last (the trial ends there). Empty dir: none are read or
  // written; checkpoint_every 0: existing ones are resumed from, no new ones are written.
  std::filesystem::path checkpoint_dir;
  int checkpoint_every = 1;
  // Per-example masks of models whose masks depend on the input only (comet) are computed once
  // per trial and reused every epoch while they take at most this many bytes (bool per hidden
  // unit and example, train and validation); above it they are routed every step.
  // COMET_MASK_CACHE_MB overrides it in `comet worker`.
  std::int64_t mask_cache_bytes = std::int64_t{2} << 30;
  // false: every step goes through autograd and torch.optim, even where the fused SGD step
  // (models::Network::sgd_step) applies; for tests that compare the two.
  bool fused_sgd = true;
};

class Trainer {
 public:
  explicit Trainer(TrainerOptions options);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Loads (once per process) the datasets the trials need, so that a missing or malformed file
  // is reported before anything is written. Throws datasets::DatasetError.
  void load_datasets(const std::vector<sweeps::TrialSpec>& trials);

  // Epochs covered by the trial's checkpoint, 0 when there is none or it cannot be used (why
  // goes to *warning: unreadable, truncated, of another trial or configuration). It builds the
  // trial and restores the checkpoint, and the next run() of this trial starts from exactly
  // there, so a caller can drop stored epochs after it first. Throws what run() would.
  int checkpoint_epoch(const sweeps::TrialSpec& trial, std::string* warning = nullptr);
  // Deletes the trial's checkpoint (and forgets what checkpoint_epoch prepared): its next run
  // starts from epoch 1.
  void remove_checkpoint(const sweeps::TrialSpec& trial);

  // Trains the trial, from its checkpoint when there is a usable one (observer.on_resume).
  // A non-finite training loss ends it as `diverged`. Exceptions from torch or the model are
  // the caller's to record (they mean `failed`).
  TrialResult run(const sweeps::TrialSpec& trial, TrialObserver& observer);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace comet::engine
