#include "progress_printer.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <limits>
#include <ostream>

namespace comet::cli {

namespace {

constexpr const char* kGreen = "32";
constexpr const char* kRed = "31";
constexpr const char* kYellow = "33";
constexpr const char* kDim = "2";

std::string format_duration(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

// A record's value of an extra metric (split/name), or NaN.
double extra_value(const engine::EpochMetrics& m, std::string_view split, std::string_view name) {
  for (const auto& x : m.extra) {
    if (x.split == split && x.name == name) return x.value;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::string metrics_text(const engine::EpochMetrics& m) {
  if (m.step > 0) {
    return fmt::format(
        "step {}  train_loss {:.4f}  val_loss {:.4f}  val_ppl {:.2f}  {:.0f} tok/s  "
        "{:.1f}s",
        m.step, m.train_loss, m.val_loss, extra_value(m, "val", "ppl"),
        extra_value(m, "train", "tokens_per_s"), m.seconds);
  }
  if (!m.has_accuracy) {
    return fmt::format("train_loss {:.4f}  val_loss {:.4f}  {:.1f}s", m.train_loss, m.val_loss,
                       m.seconds);
  }
  return fmt::format(
      "train_loss {:.4f}  train_acc {:.4f}  val_loss {:.4f}  val_acc {:.4f}  {:.1f}s", m.train_loss,
      m.train_acc, m.val_loss, m.val_acc, m.seconds);
}

// Cuts to `columns` characters (counting UTF-8 code points, e.g. the bar's blocks).
std::string fit(const std::string& text, int columns) {
  int seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++seen > columns) {
      return text.substr(0, i);
    }
  }
  return text;
}

}  // namespace

ProgressPrinter::ProgressPrinter(std::ostream& out, ProgressStyle style,
                                 std::vector<std::string> axes, long total_epochs, int total_trials)
    : out_(out),
      style_(style),
      axes_(std::move(axes)),
      total_epochs_(total_epochs),
      total_trials_(total_trials) {}

std::string ProgressPrinter::timestamp() const {
  if (style_.terminal) return "";
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z ",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms.count());
}

std::string ProgressPrinter::paint(const std::string& text, const char* color) const {
  return style_.color ? fmt::format("\x1b[{}m{}\x1b[0m", color, text) : text;
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

// Mean measured epoch time x epochs left, spread over the slots that run them.
std::string ProgressPrinter::eta() const {
  if (epochs_seen_ == 0) return "ETA --";
  const double per_epoch = epoch_seconds_ / static_cast<double>(epochs_seen_);
  const double left = static_cast<double>(std::max(0L, total_epochs_ - epochs_seen_));
  const double parallel = static_cast<double>(std::max<std::size_t>(1, slots_.size()));
  return "ETA " + format_duration(per_epoch * left / parallel);
}

void ProgressPrinter::erase_live() {
  if (live_lines_ == 0) return;
  out_ << fmt::format("\x1b[{}A", live_lines_);
  for (int i = 0; i < live_lines_; ++i) out_ << "\x1b[2K\n";
  out_ << fmt::format("\x1b[{}A", live_lines_);
  live_lines_ = 0;
}

void ProgressPrinter::draw_live() {
  if (!style_.terminal) return;
  erase_live();
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const auto& s = slots_[i];
    const auto text = s.trial.empty()
                          ? fmt::format("slot {} {:<7} idle", i, s.device)
                          : fmt::format("slot {} {:<7} {}  {}", i, s.device, s.trial, s.detail);
    out_ << fit(text, style_.columns) << "\n";
  }
  constexpr int kBarWidth = 24;
  const double done = total_epochs_ > 0
                          ? static_cast<double>(epochs_seen_) / static_cast<double>(total_epochs_)
                          : 0.0;
  const int filled = std::clamp(static_cast<int>(done * kBarWidth + 0.5), 0, kBarWidth);
  std::string bar;
  for (int i = 0; i < kBarWidth; ++i) bar += i < filled ? "█" : "░";
  out_ << fit(fmt::format("{} {}/{} trials  {}/{} epochs  {}", bar, trials_ended_, total_trials_,
                          epochs_seen_, total_epochs_, eta()),
              style_.columns)
       << "\n";
  live_lines_ = static_cast<int>(slots_.size()) + 1;
  out_.flush();
  last_draw_ = std::chrono::steady_clock::now();
}

void ProgressPrinter::print_line(const std::string& text) {
  erase_live();
  out_ << timestamp() << text << "\n";
  draw_live();
  out_.flush();
}

void ProgressPrinter::trial_skipped(const sweeps::TrialSpec& trial, results::TrialStatus status) {
  ++skipped_;
  // One line per skipped trial would bury a resumed sweep's progress on a terminal.
  if (style_.terminal) return;
  out_ << timestamp() << "skip   " << trial.id << "  " << describe(trial) << "  (already "
       << results::to_string(status) << ")\n";
}

void ProgressPrinter::slots_started(const std::vector<engine::SlotSpec>& slots) {
  slots_.clear();
  for (const auto& slot : slots) slots_.push_back({slot.device, "", ""});
  if (style_.terminal && skipped_ > 0) {
    out_ << paint(fmt::format("{} trial(s) already done or ended, skipped", skipped_), kDim)
         << "\n";
  }
  draw_live();
}

void ProgressPrinter::trial_started(int slot, const sweeps::TrialSpec& trial, int resumed_from) {
  auto& view = slots_.at(static_cast<std::size_t>(slot));
  view.trial = trial.id.substr(0, 8) + " " + describe(trial);
  view.detail = resumed_from > 0 ? fmt::format("resumed after epoch {}", resumed_from) : "starting";
  view.planned = trial.config.integer("epochs");
  // Its first epochs are not run again: they leave the ETA.
  total_epochs_ -= resumed_from;
  if (style_.terminal) {
    draw_live();
    return;
  }
  out_ << timestamp()
       << fmt::format(
              "[slot {}] start  {}  {}{}", slot, trial.id, describe(trial),
              resumed_from > 0
                  ? fmt::format("  (resumed from its checkpoint after epoch {})", resumed_from)
                  : "")
       << "\n";
  out_.flush();
}

void ProgressPrinter::trial_warning(int slot, const sweeps::TrialSpec& trial,
                                    const std::string& text) {
  print_line(fmt::format("[slot {}] {} {}: {}", slot, paint("warning:", kYellow), trial.id, text));
}

void ProgressPrinter::epoch_finished(int slot, const sweeps::TrialSpec& trial,
                                     const engine::EpochMetrics& m) {
  ++epochs_seen_;
  epoch_seconds_ += m.seconds;
  auto& view = slots_.at(static_cast<std::size_t>(slot));
  // Step-based training records every eval_every steps: its first record says how many.
  if (m.total_records > 0 && m.total_records != view.planned) {
    total_epochs_ += m.total_records - view.planned;
    view.planned = m.total_records;
  }
  const auto epochs = view.planned;
  const char* unit = m.step > 0 ? "eval" : "epoch";
  view.detail = fmt::format(
      "{} {}/{}  {}", unit, m.epoch, epochs,
      m.step > 0 ? fmt::format("step {}  val_ppl {:.2f}", m.step, extra_value(m, "val", "ppl"))
      : m.has_accuracy ? fmt::format("val_acc {:.4f}", m.val_acc)
                       : fmt::format("val_loss {:.4f}", m.val_loss));
  if (style_.terminal) {
    draw_live();
    return;
  }
  out_ << timestamp()
       << fmt::format("[slot {}] {} {:>3}/{}  {}  {}  {}", slot, unit, m.epoch, epochs,
                      metrics_text(m), trial.id.substr(0, 8), eta())
       << "\n";
  out_.flush();
}

void ProgressPrinter::trial_ended(int slot, const sweeps::TrialSpec& trial,
                                  const engine::TrialEnd& end) {
  auto& view = slots_.at(static_cast<std::size_t>(slot));
  view.trial.clear();
  view.detail.clear();
  // A trial that ends early will not run its remaining epochs: they leave the ETA (a retry
  // puts them back, from its checkpoint, when it starts).
  const long planned = view.planned > 0 ? view.planned : trial.config.integer("epochs");
  total_epochs_ -= planned - end.epochs_completed;
  if (end.will_retry) total_epochs_ += trial.config.integer("epochs");
  view.planned = 0;
  if (!end.will_retry && end.outcome != engine::TrialOutcome::interrupted) ++trials_ended_;
  switch (end.outcome) {
    case engine::TrialOutcome::done:
      print_line(fmt::format("[slot {}] {}   {}  {}", slot, paint("done", kGreen), trial.id,
                             describe(trial)));
      break;
    case engine::TrialOutcome::diverged:
      print_line(fmt::format("[slot {}] {} {}  {}: {}", slot, paint("DIVERGED", kRed), trial.id,
                             describe(trial), end.error));
      break;
    case engine::TrialOutcome::failed:
      print_line(fmt::format("[slot {}] {} ({}) {}  {}: {}{}", slot, paint("FAILED", kRed),
                             engine::to_string(end.kind), trial.id, describe(trial), end.error,
                             end.will_retry ? "; retrying" : ""));
      break;
    case engine::TrialOutcome::interrupted:
      print_line(
          fmt::format("[slot {}] stopped {} after epoch {}{}; it resumes from its checkpoint", slot,
                      trial.id, end.epochs_completed,
                      end.kind == engine::FailureKind::storage ? " (" + end.error + ")" : ""));
      break;
  }
}

void ProgressPrinter::interrupting(int running_trials, bool forced) {
  print_line(paint(
      forced ? fmt::format("interrupted again: killing {} worker(s)", running_trials)
             : fmt::format("stopping: {} running trial(s) stop at their next step (Ctrl-C again "
                           "to kill them)",
                           running_trials),
      kYellow));
}

void ProgressPrinter::tick() {
  // Redrawn at most twice a second between events, so that the ETA moves.
  if (style_.terminal &&
      std::chrono::steady_clock::now() - last_draw_ > std::chrono::milliseconds(500)) {
    draw_live();
  }
}

void ProgressPrinter::finish() {
  erase_live();
  out_.flush();
}

}  // namespace comet::cli
