#include "comet/engine/sweep_runner.h"

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

}  // namespace

SweepRunner::SweepRunner(RunOptions options)
    : options_(options), trainer_(TrainerOptions{options.device, options.data_root}) {}
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
    // Without checkpoints (issue "Engine") a trial always starts from epoch 0: any rows of an
    // earlier, interrupted attempt are replaced inside start_attempt's transaction.
    const auto attempt = store.start_attempt(trial->id, attempt_info, 0);
    StoreObserver observer(store, *trial, reporter);
    TrialResult result;
    try {
      result = trainer_.run(*trial, observer);
    } catch (const results::StoreError&) {
      throw;  // storage failures end the run (exit 3); the attempt stays `running`
    } catch (const c10::Error& e) {
      result.outcome = TrialOutcome::failed;
      result.error = e.what_without_backtrace();
    } catch (const std::exception& e) {
      result.outcome = TrialOutcome::failed;
      result.error = e.what();
    }
    store.finish_attempt(attempt, status_of(result.outcome), result.error);
    switch (result.outcome) {
      case TrialOutcome::done:
        ++summary.done;
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
