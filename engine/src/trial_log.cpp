#include "trial_log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "comet/sweeps/sweep_spec.h"

namespace comet::engine {

TrialLog::TrialLog(const std::filesystem::path& dir, const std::string& trial_id) {
  if (!dir.empty()) {
    try {
      std::filesystem::create_directories(dir);
      auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(
          (dir / sweeps::trial_file_name(trial_id, ".log")).string(), /*truncate=*/false);
      logger_ = std::make_shared<spdlog::logger>("trial", std::move(sink));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "comet: no log file for trial %s: %s\n", trial_id.c_str(), e.what());
    }
  }
  if (!logger_) logger_ = std::make_shared<spdlog::logger>("trial");  // no sink: logs nothing
  logger_->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  logger_->flush_on(spdlog::level::info);  // a line per event: it must survive a SIGKILL
}

TrialLog::~TrialLog() = default;

void TrialLog::info(const std::string& text) { logger_->info(text); }
void TrialLog::warn(const std::string& text) { logger_->warn(text); }
void TrialLog::error(const std::string& text) { logger_->error(text); }

void TrialLog::epoch(const EpochMetrics& m) {
  if (m.step > 0) {
    std::string extra;
    for (const auto& x : m.extra) extra += fmt::format(" {}/{} {:.6g}", x.split, x.name, x.value);
    logger_->info("record {} step {} train_loss {:.6f} val_loss {:.6f} {:.2f}s{}", m.epoch, m.step,
                  m.train_loss, m.val_loss, m.seconds, extra);
  } else if (m.has_accuracy) {
    logger_->info(
        "epoch {} train_loss {:.6f} train_acc {:.4f} val_loss {:.6f} val_acc {:.4f} {:.2f}s",
        m.epoch, m.train_loss, m.train_acc, m.val_loss, m.val_acc, m.seconds);
  } else {
    logger_->info("epoch {} train_loss {:.6f} val_loss {:.6f} {:.2f}s", m.epoch, m.train_loss,
                  m.val_loss, m.seconds);
  }
  if (m.has_test) {
    if (m.has_accuracy) {
      logger_->info("epoch {} test_loss {:.6f} test_acc {:.4f}", m.epoch, m.test_loss, m.test_acc);
    } else {
      logger_->info("epoch {} test_loss {:.6f}", m.epoch, m.test_loss);
    }
  }
}

}  // namespace comet::engine
