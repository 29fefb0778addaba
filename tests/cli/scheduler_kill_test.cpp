// `comet run` killed the hard way: SIGKILL of the scheduler at seeded moments, then a rerun,
// must give the curves of an uninterrupted run with every epoch once, and the dead scheduler's
// workers must exit by themselves. Ctrl-C (SIGINT) stops gracefully with exit code 130.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "temp_dir.h"
#include "test_paths.h"

#include "comet/results/result_store.h"

extern char** environ;

namespace comet::cli {
namespace {

using testing::TempDir;
using Clock = std::chrono::steady_clock;

constexpr int kTrials = 4, kEpochs = 4;
constexpr const char* kSweep =
    "name: k\ndataset: synthetic_clusters\nsynthetic_clusters.count: 2000\n"
    "synthetic_clusters.dims: 32\nsynthetic_clusters.classes: 4\nepochs: 4\nlr: 0.002\n"
    "optimizer: adam\nnorm: batch\nwidth: 64\np_k: 0.5\nbatch_size: 16\n"
    "grid:\n  model: [dropout, comet]\n  seed: [0, 1]\n";

// `comet run` on the sweep with two CPU workers, output to files in `dir`.
pid_t start_comet(const std::filesystem::path& dir, const std::string& db) {
  const std::string binary = testing::kCometBinary;
  const std::string sweep = (dir / "sweep.yaml").string();
  const std::string db_path = (dir / db).string();
  std::vector<std::string> args = {binary,  "run",       sweep, "--db",
                                   db_path, "--devices", "cpu", "--jobs-per-device",
                                   "2",     "--threads", "1"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const auto out = (dir / (db + ".out")).string(), err = (dir / (db + ".err")).string();
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

int exit_code_of(pid_t pid) {
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Epochs committed so far (0 before the database exists).
int epochs_committed(const std::filesystem::path& db) {
  if (!std::filesystem::exists(db)) return 0;
  try {
    int epochs = 0;
    auto store = results::ResultStore::open_read_only(db);
    for (const auto& row : store.list_trials()) epochs += row.epochs_done;
    return epochs;
  } catch (const results::StoreError&) {
    return 0;  // created but its schema not yet committed
  }
}

// Alive: exists and is not a zombie (an orphan is reaped by whoever adopted it, maybe never).
bool process_alive(std::int64_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, name, state;
  if (!(stat >> pid_field >> name >> state)) return false;
  return state != "Z" && state != "X";
}

std::map<std::tuple<int, std::string, std::string>, double> curve_of(
    const results::ResultStore& store, const std::string& trial_id) {
  std::map<std::tuple<int, std::string, std::string>, double> out;
  for (const auto& p : store.curve(trial_id)) {
    if (p.split != "epoch") out[{p.epoch, p.split, p.name}] = p.value;
  }
  return out;
}

void expect_same_curves_each_epoch_once(const std::filesystem::path& db,
                                        const std::filesystem::path& reference_db) {
  auto store = results::ResultStore::open_read_only(db);
  auto reference = results::ResultStore::open_read_only(reference_db);
  const auto rows = store.list_trials("k");
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kTrials));
  for (const auto& row : rows) {
    SCOPED_TRACE(row.id);
    EXPECT_EQ(row.status, results::TrialStatus::done);
    std::map<int, int> per_epoch;
    for (const auto& p : store.curve(row.id)) ++per_epoch[p.epoch];
    EXPECT_EQ(per_epoch, (std::map<int, int>{{1, 5}, {2, 5}, {3, 5}, {4, 5}}));
    EXPECT_EQ(curve_of(store, row.id), curve_of(reference, row.id));  // exact doubles
    for (const auto& attempt : store.attempts(row.id)) EXPECT_NE(attempt.outcome, "");
  }
}

class SchedulerKillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_ / "sweep.yaml") << kSweep;
    ASSERT_EQ(exit_code_of(start_comet(dir_.path(), "reference.db")), 0)
        << read_file(dir_ / "reference.db.err");
  }
  // Sends `signal` once two epochs are committed to database `name`, expects exit 130 with the
  // resume line and every attempt closed, then resumes to the uninterrupted curves.
  void interrupt_and_resume(int signal, const std::string& name);
  TempDir dir_;
};

TEST_F(SchedulerKillTest, SigkillAtSeededMomentsThenRerunGivesTheUninterruptedCurves) {
  std::mt19937 rng(20261123);
  const auto db = dir_ / "r.db";
  int kills = 0, workers_checked = 0;
  for (int round = 0; round < 4; ++round) {
    const int before = epochs_committed(db);
    if (before >= kTrials * kEpochs) break;
    // Kill once `ahead` more epochs are committed, plus up to 40 ms: between a commit and its
    // checkpoint, mid-epoch, mid-start of a worker.
    const int ahead = std::uniform_int_distribution<int>(1, 4)(rng);
    const auto extra = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 40)(rng));
    const pid_t pid = start_comet(dir_.path(), "r.db");
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (epochs_committed(db) < before + ahead && Clock::now() < deadline) {
      if (::waitpid(pid, nullptr, WNOHANG) == pid) FAIL() << read_file(dir_ / "r.db.err");
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::this_thread::sleep_for(extra);
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    EXPECT_EQ(exit_code_of(pid), 128 + SIGKILL);
    ++kills;
    // Its workers (recorded with their open attempts) exit by themselves within seconds.
    auto store = results::ResultStore::open_read_only(db);
    for (const auto& row : store.list_trials("k")) {
      for (const auto& attempt : store.attempts(row.id)) {
        if (!attempt.outcome.empty() || attempt.worker_pid == 0) continue;
        ++workers_checked;
        const auto until = Clock::now() + std::chrono::seconds(5);
        while (process_alive(attempt.worker_pid) && Clock::now() < until) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        EXPECT_FALSE(process_alive(attempt.worker_pid)) << "orphan worker " << attempt.worker_pid;
      }
    }
  }
  EXPECT_GE(kills, 2);
  EXPECT_GE(workers_checked, 1);  // some kill left a trial running in a worker
  ASSERT_EQ(exit_code_of(start_comet(dir_.path(), "r.db")), 0) << read_file(dir_ / "r.db.err");
  expect_same_curves_each_epoch_once(db, dir_ / "reference.db");
}

// SIGINT (Ctrl-C) and SIGTERM (kill, a service manager) are one interrupt (docs/errors.md).
void SchedulerKillTest::interrupt_and_resume(int signal, const std::string& name) {
  const auto db = dir_ / name;
  const pid_t pid = start_comet(dir_.path(), name);
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (epochs_committed(db) < 2 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(::kill(pid, signal), 0);
  EXPECT_EQ(exit_code_of(pid), 130);
  const auto err = read_file(dir_ / (name + ".err"));
  EXPECT_NE(err.find("resume with: comet run"), std::string::npos) << err;
  {
    auto store = results::ResultStore::open_read_only(db);
    int interrupted = 0;
    for (const auto& row : store.list_trials("k")) {
      EXPECT_NE(row.status, results::TrialStatus::running) << row.id;
      for (const auto& attempt : store.attempts(row.id)) {
        EXPECT_NE(attempt.outcome, "") << row.id;
        interrupted += attempt.outcome == "interrupted";
      }
    }
    EXPECT_GE(interrupted, 1);
  }
  ASSERT_EQ(exit_code_of(start_comet(dir_.path(), name)), 0) << read_file(dir_ / (name + ".err"));
  expect_same_curves_each_epoch_once(db, dir_ / "reference.db");
}

TEST_F(SchedulerKillTest, CtrlCStopsGracefullyWithExitCode130AndTheSweepResumes) {
  interrupt_and_resume(SIGINT, "c.db");
}

TEST_F(SchedulerKillTest, SigtermStopsGracefullyWithExitCode130AndTheSweepResumes) {
  interrupt_and_resume(SIGTERM, "t.db");
}

}  // namespace
}  // namespace comet::cli
