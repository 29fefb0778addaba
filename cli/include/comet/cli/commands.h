#pragma once
// Every subcommand is a function over a params struct: main parses the command line into one,
// tests call the function in-process. Each returns an ExitCode and throws the layers' typed
// exceptions, which run_guarded (error_boundary.h) turns into messages and exit codes.

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

#include "comet/cli/table_printer.h"
#include "comet/engine/trial_scheduler.h"

namespace comet::cli {

struct RunParams {
  std::filesystem::path sweep_file;
  std::filesystem::path db = "comet.db";
  // auto (every visible GPU, else the CPU), cpu, cuda (every GPU), or cuda:0,cuda:1,...
  std::string devices = "auto";
  std::filesystem::path data_root;  // empty: COMET_DATA or the XDG cache folder
  int jobs_per_device = 1;          // worker processes (trials at once) per device
  // Torch intra-op threads per worker: 1 was measured fastest for batch-32 MLPs; 0 gives each
  // CPU worker an even share of the cores. CPU workers together never exceed the cores.
  int threads = 1;
  std::string rerun = "none";  // none, failed (failed and diverged trials), all (done ones too)
  int max_retries = 2;         // extra attempts when a worker dies or runs out of memory
  bool fail_fast = false;      // the first failed or diverged trial stops the sweep
  // Epochs between checkpoints (0: none are written), kept in checkpoint_dir(db).
  int checkpoint_every = 1;
  bool progress_is_terminal = false;  // set by main from isatty(stderr)
  bool color = false;                 // set by main: a terminal and NO_COLOR unset
  int columns = 100;                  // set by main: the terminal's width
  bool dry_run = false;               // print what would run; load nothing, write nothing
  // Readable once per SIGINT/SIGTERM (main's InterruptPipe); -1: interrupts are not watched.
  int interrupt_fd = -1;
  // The program the workers run as `<program> worker`; empty: this process's executable.
  std::filesystem::path worker_executable;
};
// Parses and expands the sweep, starts the workers (which load its data), registers it, runs
// the trials not yet done in the workers, then prints the seed-aggregated table to `out`.
// Progress goes to `err`. Returns kExitInterrupted after an interrupt (the sweep resumes).
int run_command(const RunParams& params, std::ostream& out, std::ostream& err);
// `comet run --dry-run`: validates and expands the sweep, reads the database if there is one
// (read-only), and prints one row per trial with what a run would do. Loads no data, writes
// nothing.
int dry_run_command(const RunParams& params, std::ostream& out);
// --rerun's value as the scheduler's; throws UsageError for anything but none, failed, all.
engine::Rerun rerun_mode(const std::string& rerun);
// The run folder of a database, `<db>.runs` beside it (comet.db -> comet.db.runs): checkpoints
// (<trial id>.ckpt), trial logs (<trial id>.log) and worker logs (worker-<slot>.log).
std::filesystem::path checkpoint_dir(const std::filesystem::path& db);

struct LsTrialsParams {
  std::filesystem::path db = "comet.db";
  std::optional<std::string> sweep;
  OutputFormat format = OutputFormat::table;
};
int ls_trials_command(const LsTrialsParams& params, std::ostream& out);

struct StatusParams {
  std::filesystem::path db = "comet.db";
  std::optional<std::string> sweep;  // every sweep when empty
  OutputFormat format = OutputFormat::table;
};
// Counts of trials by state per sweep, then the running trials (epochs, last validation
// accuracy, ETA from their own epoch times) and the failed or diverged ones with their errors.
// Read-only; works while a sweep runs. json: {"sweeps": [...], "trials": [...]}.
int status_command(const StatusParams& params, std::ostream& out);

// The hidden `comet worker` subcommand: serves the scheduler's protocol on stdin/stdout.
int worker_command();

}  // namespace comet::cli
