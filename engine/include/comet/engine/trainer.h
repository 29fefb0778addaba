#pragma once
// Trainer: runs one trial (dataset, model, optimizer, epochs) and reports each epoch.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "comet/sweeps/sweep_spec.h"

namespace comet::engine {

struct EpochMetrics {
  int epoch = 0;                         // 1-based
  double train_loss = 0, train_acc = 0;  // means over the epoch's training examples
  double val_loss = 0, val_acc = 0;      // on the validation split, evaluation mode
  bool has_accuracy = true;              // false for real-valued targets: the accs are 0
  double seconds = 0;                    // wall time of the epoch, evaluation included
};

enum class TrialOutcome { done, failed, diverged };

struct TrialResult {
  TrialOutcome outcome = TrialOutcome::done;
  std::string error;  // why it failed or diverged
  int epochs_completed = 0;
};

class TrialObserver {
 public:
  virtual ~TrialObserver() = default;
  virtual void on_model_built(std::int64_t trainable_parameters) {}
  virtual void on_epoch(const EpochMetrics& metrics) = 0;
};

struct TrainerOptions {
  std::string device = "cpu";
  std::filesystem::path data_root;  // empty: the datasets layer's default
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

  // Trains the trial. A non-finite training loss ends it as `diverged`. Exceptions from torch
  // or the model are the caller's to record (they mean `failed`).
  TrialResult run(const sweeps::TrialSpec& trial, TrialObserver& observer);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace comet::engine
