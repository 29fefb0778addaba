#pragma once
// The JSON-lines protocol between `comet run` (the scheduler) and its `comet worker` processes.
// One JSON object per line, each way; docs/engine.md has the message table.
//
//   scheduler -> worker (the worker's stdin):  setup, prepare, trial, ack, stop
//   worker -> scheduler (the worker's stdout): ready, prepared, started, model, warning, epoch,
//                                               checkpoint, finished, failed, interrupted, error
//
// The worker writes a trial's checkpoint after epoch E only once the scheduler has acked E,
// i.e. committed it: the database is never behind a checkpoint, whichever process dies.

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "comet/engine/trainer.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::engine {

inline constexpr int kWorkerProtocolVersion = 1;

// A line that is not a message of this protocol (a bug or a mismatched binary, never user input).
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What a worker needs to know once, before its first trial.
struct WorkerSetup {
  int slot = 0;
  std::string device = "cpu";
  int threads = 1;
  std::filesystem::path data_root;       // empty: the datasets layer's default
  std::filesystem::path checkpoint_dir;  // empty: no checkpoints
  int checkpoint_every = 1;
  std::filesystem::path log_dir;   // one spdlog file per trial, <trial id>.log; empty: none
  std::int64_t scheduler_pid = 0;  // the worker exits when its parent is no longer this process
};

struct WorkerCommand {
  enum class Type { setup, prepare, trial, ack, stop };
  Type type = Type::stop;
  WorkerSetup setup;                      // setup
  std::vector<sweeps::TrialSpec> trials;  // prepare: load these trials' datasets; trial: one
  int stored_epochs = 0;  // trial: epochs 1..N are in the database (a checkpoint past N is unused)
  int epoch = 0;          // ack: the epoch the scheduler committed
};

// storage: the worker could not write the trial's checkpoint (a full disk, a file size limit, a
// read-only run folder). Not the trial's fault: the scheduler stops the run (exit 3) and the
// trial resumes from its previous checkpoint when the run is started again.
enum class FailureKind { exception, diverged, out_of_memory, killed, storage };
std::string_view to_string(FailureKind kind);

struct WorkerEvent {
  enum class Type {
    ready,        // pid: the worker process; text: device model; blas
    prepared,     // the datasets of a prepare are loaded and fit their trials
    started,      // trial: epoch = epochs its checkpoint covers (0: from scratch)
    model,        // trial: parameters
    warning,      // trial: text (something that did not stop it)
    epoch,        // trial: metrics; the worker waits for the ack before checkpointing it
    checkpoint,   // trial: epoch = the epoch now on disk
    finished,     // trial: done; epoch = epochs completed
    failed,       // trial: kind and text; epoch = epochs completed
    interrupted,  // trial: stopped by a stop command; epoch = epochs completed
    error         // the prepare failed: text (bad input, exit code 2)
  };
  Type type = Type::ready;
  std::string trial;
  int epoch = 0;
  EpochMetrics metrics;
  std::int64_t parameters = 0;
  std::int64_t pid = 0;
  FailureKind kind = FailureKind::exception;
  std::string text;
  std::string blas;  // ready
};

// Each returns one line, '\n' included.
std::string encode(const WorkerCommand& command);
std::string encode(const WorkerEvent& event);
// Throw ProtocolError naming what is wrong with the line.
WorkerCommand decode_command(std::string_view line);
WorkerEvent decode_event(std::string_view line);

}  // namespace comet::engine
