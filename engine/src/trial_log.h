#pragma once
// One log file per trial, <dir>/<trial id>.log, written through spdlog and appended to by every
// attempt, so that a trial's whole history (resumes, warnings, failures) reads top to bottom.

#include <filesystem>
#include <memory>
#include <string>

#include "comet/engine/trainer.h"

namespace spdlog {
class logger;
}

namespace comet::engine {

class TrialLog {
 public:
  // An empty `dir` logs nothing; a file that cannot be opened is reported on stderr and skipped.
  TrialLog(const std::filesystem::path& dir, const std::string& trial_id);
  ~TrialLog();
  TrialLog(const TrialLog&) = delete;
  TrialLog& operator=(const TrialLog&) = delete;

  void info(const std::string& text);
  void warn(const std::string& text);
  void error(const std::string& text);
  void epoch(const EpochMetrics& m);

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace comet::engine
