#include "bench_runs.h"

#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/results/result_store.h"

namespace comet::cli {

namespace fs = std::filesystem;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n == 0 ? 0 : (n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

WorkDir::WorkDir(const fs::path& given) : path_(given) {
  if (!path_.empty()) {
    fs::create_directories(path_);
    return;
  }
  std::string pattern = (fs::temp_directory_path() / "comet-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw BenchError("cannot create " + pattern);
  path_ = pattern;
  owned_ = true;
}

WorkDir::~WorkDir() {
  std::error_code ec;
  if (owned_) fs::remove_all(path_, ec);
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream file(path);
  file << text;
  if (!file.flush()) throw BenchError("cannot write " + path.string());
}

fs::path run_sweep(const BenchParams& p, const fs::path& dir, const std::string& name,
                   const std::string& sweep, int jobs, int threads) {
  const auto file = dir / (name + ".yaml");
  const auto db = dir / (name + ".db");
  write_text(file, sweep);
  std::error_code ec;
  fs::remove(db, ec);
  fs::remove_all(checkpoint_dir(db), ec);
  RunParams run;
  run.sweep_file = file;
  run.db = db;
  run.devices = p.device;
  run.data_root = p.data_root;
  run.jobs_per_device = jobs;
  run.threads = threads;
  run.yes = true;            // 10,000 trials are what the orchestration bench is for
  run.checkpoint_every = 0;  // the peers write none
  run.worker_executable = p.worker_executable;
  std::ostringstream out, err;
  const int code = run_command(run, out, err);
  if (code != kExitOk) {
    throw BenchError("comet run " + file.string() + " exited with " + std::to_string(code) + ": " +
                     err.str());
  }
  return db;
}

CometTimes comet_seconds_per_epoch(const fs::path& db) {
  auto store = results::ResultStore::open_read_only(db);
  const auto trials = store.list_trials();
  if (trials.size() != 1) throw BenchError("expected one trial in " + db.string());
  std::vector<double> seconds;
  for (const auto& point : store.curve(trials.front().id)) {
    if (point.split == "epoch" && point.name == "seconds") seconds.push_back(point.value);
  }
  if (seconds.empty()) throw BenchError("no epoch times in " + db.string());
  CometTimes t;
  for (double s : seconds) t.all_epochs += s;
  t.after_first = seconds.size() > 1 ? (t.all_epochs - seconds.front()) / (seconds.size() - 1) : 0;
  t.all_epochs /= static_cast<double>(seconds.size());
  return t;
}

}  // namespace comet::cli
