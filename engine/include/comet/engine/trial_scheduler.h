#pragma once
// The scheduler of `comet run`: trains a sweep's trials in worker processes (`comet worker`), one
// per slot (a device x --jobs-per-device), and is the only writer of the results database: it
// commits every event a worker reports as it arrives. docs/engine.md has the lifecycle.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "comet/engine/trainer.h"
#include "comet/engine/worker_protocol.h"
#include "comet/results/result_store.h"

namespace comet::engine {

// Which trials run again although the database has an outcome for them.
enum class Rerun { none, failed, all };  // failed: failed and diverged ones; all: done ones too

struct SlotSpec {
  std::string device;  // "cpu", "cuda:0"
  int threads = 1;     // torch intra-op threads of its worker
  // OpenBLAS threads of its worker (OPENBLAS_NUM_THREADS; the pthreads OpenBLAS ignores torch's
  // setting), i.e. the cores it may use; 0 leaves OpenBLAS's default (every core).
  int blas_threads = 0;
};

struct SchedulerOptions {
  std::vector<SlotSpec> slots{SlotSpec{}};
  std::filesystem::path data_root;  // empty: the datasets layer's default
  // Checkpoints (<id>.ckpt), trial logs (<id>.log) and worker logs (worker-<slot>.log); empty:
  // neither checkpoints nor logs.
  std::filesystem::path run_dir;
  int checkpoint_every = 1;
  Rerun rerun = Rerun::none;
  int max_retries = 2;     // extra attempts of a trial whose worker died or ran out of memory
  bool fail_fast = false;  // the first trial that ends failed or diverged stops the sweep
  // The program started as `<worker_executable> worker`; empty: this process's own executable.
  std::filesystem::path worker_executable;
  // Readable once per interrupt (a self-pipe fed by SIGINT/SIGTERM handlers): the first stops
  // gracefully, the second kills the workers. -1: none.
  int interrupt_fd = -1;
  // Host and versions recorded with every attempt (the slot adds its device and worker pid).
  results::AttemptInfo attempt_info;
};

// How one attempt at a trial ended.
struct TrialEnd {
  TrialOutcome outcome = TrialOutcome::done;
  FailureKind kind = FailureKind::exception;  // when failed or diverged
  std::string error;
  int epochs_completed = 0;
  bool will_retry = false;  // the trial is queued again (its worker died or ran out of memory)
};

// What the scheduler tells whoever displays progress. Slots are numbered from 0.
class SchedulerReporter {
 public:
  virtual ~SchedulerReporter() = default;
  virtual void trial_skipped(const sweeps::TrialSpec& trial, results::TrialStatus status) {}
  virtual void slots_started(const std::vector<SlotSpec>& slots) {}
  // resumed_from: epochs its checkpoint covers (0: from scratch).
  virtual void trial_started(int slot, const sweeps::TrialSpec& trial, int resumed_from) {}
  virtual void trial_warning(int slot, const sweeps::TrialSpec& trial, const std::string& text) {}
  virtual void epoch_finished(int slot, const sweeps::TrialSpec& trial, const EpochMetrics& m) {}
  virtual void trial_ended(int slot, const sweeps::TrialSpec& trial, const TrialEnd& end) {}
  virtual void interrupting(int running_trials, bool forced) {}
  virtual void tick() {}  // a few times a second while trials run
};

struct RunSummary {
  int total = 0;
  int skipped = 0;  // already done (or failed, without a rerun)
  int done = 0;
  int failed = 0;
  int diverged = 0;
  int interrupted = 0;   // stopped by Ctrl-C (or --fail-fast) and back to pending
  int not_started = 0;   // left pending by an interrupt or --fail-fast
  int retries = 0;       // attempts that were retries of a crashed or out-of-memory attempt
  bool stopped = false;  // by an interrupt or --fail-fast
  bool interrupted_by_user = false;  // SIGINT or SIGTERM (exit code 130)
};

class TrialScheduler {
 public:
  explicit TrialScheduler(SchedulerOptions options);
  ~TrialScheduler();  // kills and reaps workers still running (after an exception)
  TrialScheduler(const TrialScheduler&) = delete;
  TrialScheduler& operator=(const TrialScheduler&) = delete;

  // Starts the workers (at most one per trial) and has the first one load every dataset of
  // `trials`, so that missing or malformed data is reported (WorkerInputError) before the
  // database is touched. Throws SchedulerError when a worker cannot start.
  void start(const std::vector<sweeps::TrialSpec>& trials);
  // Runs every trial not yet done (see Rerun) until all have ended or an interrupt or
  // --fail-fast stops the sweep. A storage failure (the database cannot be written or read, or a
  // worker cannot write a checkpoint) stops the workers, closes the open attempts as
  // `interrupted` (their trials back to pending) where the database still takes that write, and
  // throws results::StoreError naming the file and the cause; nothing is marked failed.
  RunSummary run(const std::vector<sweeps::TrialSpec>& trials, results::ResultStore& store,
                 SchedulerReporter& reporter);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A worker that cannot be started or breaks the protocol (exit code 3).
class SchedulerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The sweep's data could not be loaded (missing or malformed files; exit code 2).
class WorkerInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace comet::engine
