#pragma once
// Progress of `comet run` as plain lines: one per trial start, epoch and end, with an ETA from
// measured epoch times. Lines get a UTC timestamp when stderr is not a terminal (logs).

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include "comet/engine/sweep_runner.h"

namespace comet::cli {

class ProgressPrinter : public engine::RunReporter {
 public:
  // axes: the keys shown for each trial (the sweep's grid axes); total_epochs: epochs of every
  // trial that will run, for the ETA.
  ProgressPrinter(std::ostream& out, bool terminal, std::vector<std::string> axes,
                  long total_epochs);

  void trial_skipped(const sweeps::TrialSpec& trial, results::TrialStatus status) override;
  void trial_started(int index, int total, const sweeps::TrialSpec& trial) override;
  void trial_resumed(const sweeps::TrialSpec& trial, int epoch) override;
  void trial_warning(const sweeps::TrialSpec& trial, const std::string& text) override;
  void epoch_finished(const sweeps::TrialSpec& trial, const engine::EpochMetrics& m) override;
  void trial_finished(const sweeps::TrialSpec& trial, const engine::TrialResult& result) override;

 private:
  std::string prefix() const;
  std::string describe(const sweeps::TrialSpec& trial) const;

  std::ostream& out_;
  bool terminal_;
  std::vector<std::string> axes_;
  long total_epochs_;
  long epochs_seen_ = 0;
  double epoch_seconds_ = 0;
  int skipped_ = 0;
};

}  // namespace comet::cli
