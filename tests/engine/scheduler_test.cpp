// The scheduler with real worker processes (the comet binary as `comet worker`) and a real
// store: two slots share the work, failures keep their kinds, a killed worker's trial resumes
// from its checkpoint, an interrupt leaves a resumable database, --fail-fast stops the sweep.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "temp_dir.h"
#include "test_paths.h"

#include "comet/engine/trial_scheduler.h"

namespace comet::engine {
namespace {

using testing::TempDir;

constexpr const char* kSweep =
    "name: s\ndataset: synthetic_clusters\nsynthetic_clusters.count: 400\n"
    "synthetic_clusters.dims: 16\nsynthetic_clusters.classes: 4\nepochs: 4\nlr: 0.002\n"
    "optimizer: adam\nnorm: batch\nschedule: cosine\nwidth: 32\np_k: 0.5\nbatch_size: 16\n"
    "grid:\n  model: [dropout, comet]\n  seed: [0, 1]\n";

// Records what the scheduler reports, and checks on the way that a trial never runs in two
// slots at once.
class RecordingReporter : public SchedulerReporter {
 public:
  void trial_started(int slot, const sweeps::TrialSpec& trial, int resumed_from) override {
    EXPECT_TRUE(running.insert(trial.id).second) << trial.id << " started twice at once";
    slots_used.insert(slot);
    resumed[trial.id] = resumed_from;
  }
  void epoch_finished(int slot, const sweeps::TrialSpec& trial, const EpochMetrics& m) override {
    ++epochs;
    if (on_epoch) on_epoch(trial, m);
  }
  void trial_ended(int slot, const sweeps::TrialSpec& trial, const TrialEnd& end) override {
    running.erase(trial.id);
    ends.push_back({trial.id, end});
  }
  std::set<std::string> running;
  std::set<int> slots_used;
  std::map<std::string, int> resumed;
  std::vector<std::pair<std::string, TrialEnd>> ends;
  int epochs = 0;
  std::function<void(const sweeps::TrialSpec&, const EpochMetrics&)> on_epoch;
};

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_ = sweeps::parse_sweep_text(kSweep, "s.yaml");
    trials_ = sweeps::expand_trials(spec_);
  }
  SchedulerOptions options(int slots) const {
    SchedulerOptions o;
    o.slots.assign(static_cast<std::size_t>(slots), SlotSpec{"cpu", 1, 1});
    o.run_dir = dir_ / "r.db.runs";
    o.worker_executable = testing::kCometBinary;
    o.attempt_info.host = "test";
    return o;
  }
  results::ResultStore open_store(const std::string& name,
                                  const std::vector<sweeps::TrialSpec>& trials) {
    auto store = results::ResultStore::open(dir_ / name);
    store.register_sweep(spec_, trials);
    return store;
  }
  RunSummary run(SchedulerOptions o, results::ResultStore& store, RecordingReporter& reporter,
                 const std::vector<sweeps::TrialSpec>& trials) {
    TrialScheduler scheduler(std::move(o));
    scheduler.start(trials);
    return scheduler.run(trials, store, reporter);
  }
  // Every metric but the wall time, by (epoch, split, name); fails on a duplicate.
  static std::map<std::tuple<int, std::string, std::string>, double> curve_of(
      const results::ResultStore& store, const std::string& trial_id) {
    std::map<std::tuple<int, std::string, std::string>, double> out;
    for (const auto& p : store.curve(trial_id)) {
      if (p.split == "epoch") continue;
      EXPECT_TRUE(out.emplace(std::tuple{p.epoch, p.split, p.name}, p.value).second);
    }
    return out;
  }
  // The curves of one uninterrupted single-slot run, computed once per test.
  void expect_equal_to_uninterrupted(const results::ResultStore& store) {
    auto reference = open_store("reference.db", trials_);
    RecordingReporter quiet;
    auto o = options(1);
    o.run_dir = dir_ / "reference.db.runs";
    EXPECT_EQ(run(o, reference, quiet, trials_).done, 4);
    for (const auto& t : trials_) {
      SCOPED_TRACE(t.id);
      EXPECT_EQ(store.trial_status(t.id), results::TrialStatus::done);
      EXPECT_EQ(store.stored_epoch_prefix(t.id), 4);
      EXPECT_EQ(store.curve(t.id).size(), 4u * 5u);  // each epoch once: 4 metrics + wall time
      EXPECT_EQ(curve_of(store, t.id), curve_of(reference, t.id));  // exact doubles
      EXPECT_FALSE(std::filesystem::exists(dir_ / "r.db.runs" / (t.id + ".ckpt")));
    }
  }
  TempDir dir_;
  sweeps::SweepSpec spec_;
  std::vector<sweeps::TrialSpec> trials_;
};

TEST_F(SchedulerTest, TwoCpuSlotsBothGetWorkAndEqualOneSlot) {
  auto store = open_store("r.db", trials_);
  RecordingReporter reporter;
  // A trial of this sweep takes well under a second since the fused step, about as long as a
  // worker takes to start: until the second slot has a trial, each epoch's report holds the
  // scheduler a little, so the first slot cannot take all four before the second is ready.
  reporter.on_epoch = [&](const sweeps::TrialSpec&, const EpochMetrics&) {
    if (reporter.slots_used.count(1) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  };
  const auto summary = run(options(2), store, reporter, trials_);
  EXPECT_EQ(summary.done, 4);
  EXPECT_EQ(summary.failed + summary.diverged + summary.retries, 0);
  EXPECT_EQ(reporter.slots_used, (std::set<int>{0, 1}));
  EXPECT_EQ(reporter.epochs, 16);
  std::set<std::int64_t> pids;
  for (const auto& t : trials_) {
    const auto attempts = store.attempts(t.id);
    ASSERT_EQ(attempts.size(), 1u);
    EXPECT_EQ(attempts[0].outcome, "done");
    EXPECT_EQ(attempts[0].host, "test");
    EXPECT_EQ(attempts[0].device, "cpu");
    pids.insert(attempts[0].worker_pid);
  }
  EXPECT_EQ(pids.size(), 2u);  // two worker processes did the work
  // One log per trial in the run folder, with every epoch.
  EXPECT_TRUE(std::filesystem::exists(dir_ / "r.db.runs" / (trials_[0].id + ".log")));
  expect_equal_to_uninterrupted(store);
}

TEST_F(SchedulerTest, ThrowingAndDivergingTrialsKeepTheirKindsAndTheOthersComplete) {
  auto trials = trials_;
  // A model the worker cannot build (a sweep file could not name it) and a learning rate that
  // sends the loss to infinity.
  trials[1].config.set("model", std::string("bogus"));
  trials[1].id = sweeps::trial_id(trials[1].config);
  trials[2].config.set("lr", 1.0e30);
  trials[2].config.set("optimizer", std::string("sgd"));
  trials[2].id = sweeps::trial_id(trials[2].config);
  auto store = open_store("r.db", trials);
  RecordingReporter reporter;
  const auto summary = run(options(2), store, reporter, trials);
  EXPECT_EQ(summary.done, 2);
  EXPECT_EQ(summary.failed, 1);
  EXPECT_EQ(summary.diverged, 1);
  EXPECT_EQ(summary.retries, 0);  // deterministic failures are not retried
  EXPECT_EQ(store.trial_status(trials[1].id), results::TrialStatus::failed);
  EXPECT_EQ(store.trial_status(trials[2].id), results::TrialStatus::diverged);
  const auto bogus = store.attempts(trials[1].id);
  ASSERT_EQ(bogus.size(), 1u);
  EXPECT_EQ(bogus[0].kind, "exception");
  EXPECT_NE(bogus[0].error.find("bogus"), std::string::npos) << bogus[0].error;
  const auto diverged = store.attempts(trials[2].id);
  ASSERT_EQ(diverged.size(), 1u);
  EXPECT_EQ(diverged[0].kind, "diverged");
  EXPECT_NE(diverged[0].error.find("training loss is"), std::string::npos) << diverged[0].error;
  EXPECT_EQ(store.trial_status(trials[0].id), results::TrialStatus::done);
  EXPECT_EQ(store.trial_status(trials[3].id), results::TrialStatus::done);
}

// The worker training a trial is SIGKILLed when it reports epoch 3: checkpoint 2 is on disk
// (written after the ack of epoch 2, before epoch 3 trained). A fresh worker resumes the trial
// from there and its curve equals an uninterrupted run's.
TEST_F(SchedulerTest, KilledWorkerIsReplacedAndItsTrialResumesFromItsCheckpoint) {
  auto store = open_store("r.db", trials_);
  RecordingReporter reporter;
  const auto victim = trials_[1].id;
  bool killed = false;
  reporter.on_epoch = [&](const sweeps::TrialSpec& trial, const EpochMetrics& m) {
    if (killed || trial.id != victim || m.epoch != 3) return;
    const auto attempts = store.attempts(victim);
    ASSERT_FALSE(attempts.empty());
    ASSERT_GT(attempts.back().worker_pid, 0);
    ASSERT_EQ(::kill(static_cast<pid_t>(attempts.back().worker_pid), SIGKILL), 0);
    killed = true;
  };
  const auto summary = run(options(2), store, reporter, trials_);
  ASSERT_TRUE(killed);
  EXPECT_EQ(summary.done, 4);
  EXPECT_EQ(summary.retries, 1);
  const auto attempts = store.attempts(victim);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].outcome, "failed");
  EXPECT_EQ(attempts[0].kind, "killed");
  EXPECT_NE(attempts[0].error.find("SIGKILL"), std::string::npos) << attempts[0].error;
  EXPECT_EQ(attempts[1].outcome, "done");
  EXPECT_NE(attempts[1].worker_pid, attempts[0].worker_pid);
  EXPECT_GE(reporter.resumed[victim], 2);  // 2, or 3 if its checkpoint 3 was written in time
  expect_equal_to_uninterrupted(store);
}

TEST_F(SchedulerTest, WithoutRetriesAKilledWorkerFailsItsTrial) {
  auto store = open_store("r.db", trials_);
  RecordingReporter reporter;
  reporter.on_epoch = [&](const sweeps::TrialSpec& trial, const EpochMetrics& m) {
    if (trial.id != trials_[0].id || m.epoch != 1) return;
    ::kill(static_cast<pid_t>(store.attempts(trial.id).back().worker_pid), SIGKILL);
  };
  auto o = options(1);
  o.max_retries = 0;
  const auto summary = run(o, store, reporter, trials_);
  EXPECT_EQ(summary.failed, 1);
  EXPECT_EQ(summary.done, 3);  // a replacement worker ran the rest
  EXPECT_EQ(store.trial_status(trials_[0].id), results::TrialStatus::failed);
}

// An interrupt (the byte SIGINT's handler writes) stops the running trials at their next step;
// they go back to pending with an `interrupted` attempt, and the next run completes the sweep
// with the uninterrupted curves.
TEST_F(SchedulerTest, InterruptLeavesAResumableDatabase) {
  int interrupt[2];
  ASSERT_EQ(::pipe(interrupt), 0);
  {
    auto store = open_store("r.db", trials_);
    RecordingReporter reporter;
    reporter.on_epoch = [&](const sweeps::TrialSpec&, const EpochMetrics& m) {
      if (m.epoch == 2) {
        ASSERT_EQ(::write(interrupt[1], "x", 1), 1);
      }
    };
    auto o = options(2);
    o.interrupt_fd = interrupt[0];
    const auto summary = run(o, store, reporter, trials_);
    EXPECT_TRUE(summary.stopped);
    EXPECT_TRUE(summary.interrupted_by_user);
    EXPECT_GE(summary.interrupted + summary.done, 1);
    EXPECT_GE(summary.not_started, 1);
    for (const auto& row : store.list_trials("s")) {
      EXPECT_NE(row.status, results::TrialStatus::running) << row.id;
      for (const auto& a : store.attempts(row.id)) EXPECT_NE(a.outcome, "") << row.id;
    }
  }
  ::close(interrupt[0]);
  ::close(interrupt[1]);
  auto store = results::ResultStore::open(dir_ / "r.db");
  RecordingReporter reporter;
  const auto summary = run(options(2), store, reporter, trials_);
  EXPECT_EQ(summary.done + summary.skipped, 4);
  expect_equal_to_uninterrupted(store);
}

TEST_F(SchedulerTest, FailFastStopsTheSweepAtTheFirstFailure) {
  auto trials = trials_;
  trials[0].config.set("model", std::string("bogus"));
  trials[0].id = sweeps::trial_id(trials[0].config);
  auto store = open_store("r.db", trials);
  RecordingReporter reporter;
  auto o = options(1);
  o.fail_fast = true;
  const auto summary = run(o, store, reporter, trials);
  EXPECT_TRUE(summary.stopped);
  EXPECT_FALSE(summary.interrupted_by_user);
  EXPECT_EQ(summary.failed, 1);
  EXPECT_EQ(summary.done, 0);
  EXPECT_EQ(summary.not_started, 3);
}

TEST_F(SchedulerTest, RerunAllRunsDoneTrialsAgainFromScratch) {
  auto store = open_store("r.db", trials_);
  RecordingReporter first;
  EXPECT_EQ(run(options(2), store, first, trials_).done, 4);
  RecordingReporter again;
  EXPECT_EQ(run(options(2), store, again, trials_).skipped, 4);
  auto o = options(2);
  o.rerun = Rerun::all;
  RecordingReporter all;
  EXPECT_EQ(run(o, store, all, trials_).done, 4);
  for (const auto& t : trials_) {
    EXPECT_EQ(store.attempts(t.id).size(), 2u);
    EXPECT_EQ(all.resumed[t.id], 0);
  }
  expect_equal_to_uninterrupted(store);
}

// A disk that is full for one checkpoint (its .tmp file leads to /dev/full, whose writes fail
// with ENOSPC, even for root): not the trial's failure. The run stops with a StoreError naming
// the file and the cause, the trial is pending again with its committed epoch and an
// `interrupted` attempt, nothing is failed, and the next run completes the uninterrupted curves.
TEST_F(SchedulerTest, ACheckpointTheDiskRefusesStopsTheRunAndMarksNothingFailed) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
  auto store = open_store("r.db", trials_);
  const auto& first = trials_[0];
  const auto tmp = dir_ / "r.db.runs" / (first.id + ".ckpt.tmp");
  std::filesystem::create_directories(tmp.parent_path());
  std::filesystem::create_symlink("/dev/full", tmp);

  RecordingReporter reporter;
  std::string message;
  try {
    run(options(1), store, reporter, trials_);
  } catch (const results::StoreError& e) {
    message = e.what();
  }
  EXPECT_EQ(message, "cannot write checkpoint " + tmp.string() +
                         ": No space left on device; the run stopped: 1 trial(s) stopped (they "
                         "resume from their checkpoints), 3 not started");
  EXPECT_FALSE(std::filesystem::is_symlink(tmp));  // the half-written .tmp is removed
  EXPECT_TRUE(std::filesystem::exists("/dev/full"));
  ASSERT_EQ(reporter.ends.size(), 1u);
  EXPECT_EQ(reporter.ends[0].second.outcome, TrialOutcome::interrupted);
  EXPECT_EQ(reporter.ends[0].second.kind, FailureKind::storage);
  EXPECT_EQ(reporter.ends[0].second.epochs_completed, 1);
  EXPECT_EQ(store.trial_status(first.id), results::TrialStatus::pending);
  EXPECT_EQ(store.stored_epoch_prefix(first.id), 1);  // committed before its checkpoint failed
  const auto attempts = store.attempts(first.id);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, "interrupted");
  EXPECT_NE(attempts[0].error.find("No space left on device"), std::string::npos);
  for (const auto& t : trials_) {
    if (t.id == first.id) continue;
    EXPECT_EQ(store.trial_status(t.id), results::TrialStatus::pending);
    EXPECT_TRUE(store.attempts(t.id).empty());
  }

  RecordingReporter again;
  EXPECT_EQ(run(options(1), store, again, trials_).done, 4);
  EXPECT_EQ(again.resumed[first.id], 0);  // no checkpoint was written: epoch 1 is run again
  expect_equal_to_uninterrupted(store);
}

TEST_F(SchedulerTest, AWorkerThatCannotStartIsASchedulerError) {
  auto o = options(1);
  o.worker_executable = "/bin/false";
  TrialScheduler scheduler(o);
  EXPECT_THROW(scheduler.start(trials_), SchedulerError);
}

}  // namespace
}  // namespace comet::engine
