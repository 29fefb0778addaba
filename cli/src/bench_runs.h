#pragma once
// Private to cli/. What every `comet bench` measurement shares: a scratch folder, comet runs of a
// generated sweep in this process, the epoch times they stored, medians.

#include <filesystem>
#include <string>
#include <vector>

#include "comet/cli/bench_command.h"

namespace comet::cli {

double median(std::vector<double> values);

// A scratch folder that is removed with this object unless the user named it.
class WorkDir {
 public:
  explicit WorkDir(const std::filesystem::path& given);
  ~WorkDir();
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  bool owned_ = false;
};

void write_text(const std::filesystem::path& path, const std::string& text);

// Runs `sweep` with `comet run` in this process (its workers are child processes), `jobs`
// workers of `threads` torch threads each (0: an even share of the cores), and returns the
// database it wrote. Throws BenchError when the run fails.
std::filesystem::path run_sweep(const BenchParams& p, const std::filesystem::path& dir,
                                const std::string& name, const std::string& sweep, int jobs,
                                int threads = 1);

// comet's seconds per epoch as the peers count their own (all epochs' time over the epochs), and
// over the epochs after the first (the steady state of a long run: the first epoch also computes
// comet's per-example masks); the latter is 0 for a 1-epoch run. The database holds one trial.
struct CometTimes {
  double all_epochs = 0;
  double after_first = 0;
};
CometTimes comet_seconds_per_epoch(const std::filesystem::path& db);

}  // namespace comet::cli
