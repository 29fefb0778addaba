#pragma once
// Progress of `comet run`. On a terminal: finished trials, failures and warnings scroll as
// lines, under them one live line per slot (its trial, epoch and last metric) and an overall
// bar with an ETA from measured epoch times. Elsewhere (a log file, CI): plain lines with a UTC
// timestamp, one per trial start, epoch and end. NO_COLOR turns colour off.

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include "comet/engine/trial_scheduler.h"

namespace comet::cli {

struct ProgressStyle {
  bool terminal = false;  // live lines and the bar; else timestamped lines
  bool color = false;     // ANSI colours (terminal only, and NO_COLOR unset)
  int columns = 100;      // live lines are cut to this width so that they never wrap
};

class ProgressPrinter : public engine::SchedulerReporter {
 public:
  // axes: the keys shown for each trial (the sweep's grid axes); total_epochs and total_trials:
  // what will run, for the ETA and the bar.
  ProgressPrinter(std::ostream& out, ProgressStyle style, std::vector<std::string> axes,
                  long total_epochs, int total_trials);

  void trial_skipped(const sweeps::TrialSpec& trial, results::TrialStatus status) override;
  void slots_started(const std::vector<engine::SlotSpec>& slots) override;
  void trial_started(int slot, const sweeps::TrialSpec& trial, int resumed_from) override;
  void trial_warning(int slot, const sweeps::TrialSpec& trial, const std::string& text) override;
  void epoch_finished(int slot, const sweeps::TrialSpec& trial,
                      const engine::EpochMetrics& m) override;
  void trial_ended(int slot, const sweeps::TrialSpec& trial, const engine::TrialEnd& end) override;
  void interrupting(int running_trials, bool forced) override;
  void tick() override;
  void finish();  // takes the live lines away; call before printing anything else

 private:
  struct SlotView {
    std::string device;
    std::string trial;  // "" when idle
    std::string detail;
    // Records the running trial makes in all: its epochs, or (step-based training) what its
    // first record says; the ETA counts these.
    long planned = 0;
  };
  std::string describe(const sweeps::TrialSpec& trial) const;
  std::string timestamp() const;
  std::string paint(const std::string& text, const char* color) const;
  std::string eta() const;
  void print_line(const std::string& text);  // a line that stays
  void erase_live();
  void draw_live();

  std::ostream& out_;
  ProgressStyle style_;
  std::vector<std::string> axes_;
  long total_epochs_;
  int total_trials_;
  int trials_ended_ = 0;
  long epochs_seen_ = 0;
  double epoch_seconds_ = 0;
  int skipped_ = 0;
  std::vector<SlotView> slots_;
  int live_lines_ = 0;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace comet::cli
