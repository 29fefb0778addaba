#include "comet/engine/sweep_runner.h"

#include <optional>
#include <set>
#include <string>

#include <torch/torch.h>

#include "comet/engine/runtime_info.h"
#include "comet/version.h"

namespace comet::engine {

namespace {

// Writes each event of one trial to the store as soon as it happens.
class StoreObserver : public TrialObserver {
 public:
  StoreObserver(results::ResultStore& store, const sweeps::TrialSpec& trial, RunReporter& reporter)
      : store_(store), trial_(trial), reporter_(reporter) {}

  void on_model_built(std::int64_t count) override {
    store_.set_trainable_parameters(trial_.id, count);
  }
  void on_warning(const std::string& text) override { reporter_.trial_warning(trial_, text); }
  void on_epoch(const EpochMetrics& m) override {
    results::EpochRecord record{m.epoch,
                                {{"train", "loss", m.train_loss},
                                 {"val", "loss", m.val_loss},
                                 {"epoch", "seconds", m.seconds}}};
    if (m.has_accuracy) {
      record.metrics.push_back({"train", "acc", m.train_acc});
      record.metrics.push_back({"val", "acc", m.val_acc});
    }
    store_.record_epoch(trial_.id, record);
    reporter_.epoch_finished(trial_, m);
  }

 private:
  results::ResultStore& store_;
  const sweeps::TrialSpec& trial_;
  RunReporter& reporter_;
};

results::TrialStatus status_of(TrialOutcome outcome) {
  switch (outcome) {
    case TrialOutcome::done:
      return results::TrialStatus::done;
    case TrialOutcome::diverged:
      return results::TrialStatus::diverged;
    case TrialOutcome::failed:
      return results::TrialStatus::failed;
  }
  return results::TrialStatus::failed;
}

// Runs `step`; an exception from torch, the model or the data becomes the trial's error text.
// Storage failures end the whole run (exit 3), so they pass through.
template <typename Step>
std::optional<std::string> failure_of(Step&& step) {
  try {
    step();
  } catch (const results::StoreError&) {
    throw;
  } catch (const c10::Error& e) {
    return e.what_without_backtrace();
  } catch (const std::exception& e) {
    return e.what();
  }
  return std::nullopt;
}

// True when the store holds every epoch 1..epoch of the trial. A checkpoint is used only then:
// e.g. a new database beside an old checkpoint folder would otherwise get a curve with a hole.
bool store_covers(const results::ResultStore& store, const std::string& trial_id, int epoch) {
  std::set<int> stored;  // epochs are 1-based: E distinct ones up to E are exactly 1..E
  for (const auto& point : store.curve(trial_id)) {
    if (point.epoch <= epoch) stored.insert(point.epoch);
  }
  return static_cast<int>(stored.size()) == epoch;
}

}  // namespace

SweepRunner::SweepRunner(RunOptions options)
    : options_(options),
      trainer_(TrainerOptions{options.device, options.data_root, options.checkpoint_dir,
                              options.checkpoint_every}) {}
SweepRunner::~SweepRunner() = default;

void SweepRunner::prepare(const std::vector<sweeps::TrialSpec>& trials) {
  trainer_.load_datasets(trials);
}

RunSummary SweepRunner::run(const std::vector<sweeps::TrialSpec>& trials,
                            results::ResultStore& store, RunReporter& reporter) {
  RunSummary summary;
  summary.total = static_cast<int>(trials.size());
  std::vector<const sweeps::TrialSpec*> todo;
  for (const auto& t : trials) {
    const auto status = store.trial_status(t.id).value_or(results::TrialStatus::pending);
    const bool ended_badly =
        status == results::TrialStatus::failed || status == results::TrialStatus::diverged;
    if (status == results::TrialStatus::done || (ended_badly && !options_.rerun_failed)) {
      ++summary.skipped;
      reporter.trial_skipped(t, status);
    } else {
      todo.push_back(&t);
    }
  }
  const results::AttemptInfo attempt_info{host_name(), options_.device, comet::version_string(),
                                          torch_version()};
  int index = 0;
  for (const auto* trial : todo) {
    reporter.trial_started(++index, static_cast<int>(todo.size()), *trial);
    // The checkpoint's epoch is known before start_attempt drops the stored epochs after it;
    // run() then resumes from exactly that epoch (Trainer::checkpoint_epoch).
    int resume = 0;
    std::string warning;
    auto setup_error = failure_of([&] {
      resume = trainer_.checkpoint_epoch(*trial, &warning);
      if (resume > 0 && !store_covers(store, trial->id, resume)) {
        warning = "checkpoint after epoch " + std::to_string(resume) +
                  " not used: the database lacks some of its epochs; the trial starts over";
        trainer_.remove_checkpoint(*trial);
        resume = 0;
      }
    });
    if (!warning.empty()) reporter.trial_warning(*trial, warning);
    const auto attempt = store.start_attempt(trial->id, attempt_info, resume);
    if (resume > 0) reporter.trial_resumed(*trial, resume);
    StoreObserver observer(store, *trial, reporter);
    TrialResult result;
    // A trial that cannot even be built (unknown model, no memory on the device) fails here.
    if (!setup_error) setup_error = failure_of([&] { result = trainer_.run(*trial, observer); });
    if (setup_error) {
      result.outcome = TrialOutcome::failed;
      result.error = *setup_error;
    }
    store.finish_attempt(attempt, status_of(result.outcome), result.error);
    switch (result.outcome) {
      case TrialOutcome::done:
        ++summary.done;
        // Only disk space from now on: a done trial never runs again.
        if (failure_of([&] { trainer_.remove_checkpoint(*trial); })) {
          reporter.trial_warning(*trial, "its checkpoint could not be deleted");
        }
        break;
      case TrialOutcome::failed:
        ++summary.failed;
        break;
      case TrialOutcome::diverged:
        ++summary.diverged;
        break;
    }
    reporter.trial_finished(*trial, result);
  }
  return summary;
}

}  // namespace comet::engine
