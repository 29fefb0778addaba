#include "progress_printer.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <ostream>

namespace comet::cli {

namespace {

std::string format_duration(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

}  // namespace

ProgressPrinter::ProgressPrinter(std::ostream& out, bool terminal, std::vector<std::string> axes,
                                 long total_epochs)
    : out_(out), terminal_(terminal), axes_(std::move(axes)), total_epochs_(total_epochs) {}

std::string ProgressPrinter::prefix() const {
  if (terminal_) return "";
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z ",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms.count());
}

std::string ProgressPrinter::describe(const sweeps::TrialSpec& trial) const {
  std::string text;
  for (const auto& key : axes_) {
    if (trial.config.has(key)) {
      text += fmt::format("{}{}={}", text.empty() ? "" : " ", key,
                          sweeps::to_display(trial.config.at(key)));
    }
  }
  return text;
}

void ProgressPrinter::trial_skipped(const sweeps::TrialSpec& trial, results::TrialStatus status) {
  ++skipped_;
  out_ << prefix() << "skip   " << trial.id << "  " << describe(trial) << "  (already "
       << results::to_string(status) << ")\n";
}

void ProgressPrinter::trial_started(int index, int total, const sweeps::TrialSpec& trial) {
  const int w = static_cast<int>(std::to_string(total).size());
  out_ << prefix() << fmt::format("[{:>{}}/{}] {}  {}", index, w, total, trial.id, describe(trial))
       << "\n";
}

void ProgressPrinter::trial_resumed(const sweeps::TrialSpec& trial, int epoch) {
  out_ << prefix()
       << fmt::format("    resumed {} from its checkpoint after epoch {}", trial.id, epoch) << "\n";
  // Its first `epoch` epochs are not run again: take them out of the ETA.
  total_epochs_ -= epoch;
}

void ProgressPrinter::trial_warning(const sweeps::TrialSpec& trial, const std::string& text) {
  out_ << prefix() << "    warning: " << trial.id << ": " << text << "\n";
}

void ProgressPrinter::epoch_finished(const sweeps::TrialSpec& trial,
                                     const engine::EpochMetrics& m) {
  ++epochs_seen_;
  epoch_seconds_ += m.seconds;
  const double eta = epoch_seconds_ / static_cast<double>(epochs_seen_) *
                     static_cast<double>(std::max(0L, total_epochs_ - epochs_seen_));
  const auto epochs = trial.config.integer("epochs");
  if (m.has_accuracy) {
    out_ << prefix()
         << fmt::format(
                "    epoch {:>3}/{}  train_loss {:.4f}  train_acc {:.4f}  val_loss {:.4f}  "
                "val_acc {:.4f}  {:.1f}s  ETA {}",
                m.epoch, epochs, m.train_loss, m.train_acc, m.val_loss, m.val_acc, m.seconds,
                format_duration(eta))
         << "\n";
  } else {
    out_ << prefix()
         << fmt::format("    epoch {:>3}/{}  train_loss {:.4f}  val_loss {:.4f}  {:.1f}s  ETA {}",
                        m.epoch, epochs, m.train_loss, m.val_loss, m.seconds, format_duration(eta))
         << "\n";
  }
  out_.flush();
}

void ProgressPrinter::trial_finished(const sweeps::TrialSpec& trial,
                                     const engine::TrialResult& result) {
  switch (result.outcome) {
    case engine::TrialOutcome::done:
      return;
    case engine::TrialOutcome::diverged:
      out_ << prefix() << "    DIVERGED " << trial.id << ": " << result.error << "\n";
      break;
    case engine::TrialOutcome::failed:
      out_ << prefix() << "    FAILED " << trial.id << ": " << result.error << "\n";
      break;
  }
  // A trial that ends early will not run its remaining epochs: take them out of the ETA.
  total_epochs_ -= trial.config.integer("epochs") - result.epochs_completed;
}

}  // namespace comet::cli
