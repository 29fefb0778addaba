#pragma once
// Every subcommand is a function over a params struct: main parses the command line into one,
// tests call the function in-process. Each returns an ExitCode and throws the layers' typed
// exceptions, which run_guarded (error_boundary.h) turns into messages and exit codes.

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "comet/cli/table_printer.h"
#include "comet/engine/trial_scheduler.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::cli {

struct RunParams {
  std::filesystem::path sweep_file;
  // key=value changes to the sweep, applied in order as if the file were edited (SweepOverride
  // in sweep_spec.h; docs/commands/run.md, "Overrides").
  std::vector<sweeps::SweepOverride> overrides;
  // Run a sweep of more than sweeps::kTrialsWithoutConfirmation trials (without it: exit 2).
  bool yes = false;
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
// Parses and expands the sweep (overrides applied; more than kTrialsWithoutConfirmation trials
// need params.yes), starts the workers (which load its data and check each trial's batch_size
// against its training set), registers it, runs the trials not yet done in the workers, then
// prints the seed-aggregated table to `out`.
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
// " (16 grid points, 4 folded into equal trials: keys their model ignores)" when the sweep's
// grid points outnumber its `trials` (sweeps::expand_trials folds them), else "". For the plan
// of --dry-run and the first line of a run.
std::string folded_note(const sweeps::SweepSpec& spec, std::size_t trials);

struct LsTrialsParams {
  std::filesystem::path db = "comet.db";
  std::optional<std::string> sweep;
  std::vector<std::string> where;     // key=value conditions on the config (all must hold)
  std::optional<std::string> status;  // pending, running, done, failed, diverged
  OutputFormat format = OutputFormat::table;
};
int ls_trials_command(const LsTrialsParams& params, std::ostream& out);

struct LsSweepsParams {
  std::filesystem::path db = "comet.db";
  OutputFormat format = OutputFormat::table;
};
// One row per sweep: its file, trial counts by status, when it was registered and last run.
int ls_sweeps_command(const LsSweepsParams& params, std::ostream& out);

struct ShowParams {
  std::filesystem::path db = "comet.db";
  std::string trial;  // an id, or a unique prefix of one
  OutputFormat format = OutputFormat::table;
};
// One trial: its resolved config, status, parameter count, final and best value of every
// metric, and every attempt with its environment and outcome.
int show_command(const ShowParams& params, std::ostream& out);

struct CompareParams {
  std::filesystem::path db = "comet.db";
  std::string sweep;
  std::string rows = "width", cols = "p_k", by = "model";  // "" (or "none"): not split
  // <split>_<name> (val_acc, test_loss) or a bare name; "": results::default_metric of the
  // sweep's trials (val_acc, or val_loss for a regression sweep).
  std::string metric;
  std::string split;         // overrides the metric's split when set
  std::string agg = "best";  // best, final, auc
  std::vector<std::string> where;
  OutputFormat format = OutputFormat::table;
};
// Mean ± std over seeds per (row, column, compared value); the best per cell marked.
int compare_command(const CompareParams& params, std::ostream& out);

struct ExportParams {
  std::filesystem::path db = "comet.db";
  std::string sweep;
  bool curves = false;  // one row per (trial, epoch, metric) instead of one per trial
  std::vector<std::string> where;
  OutputFormat format = OutputFormat::csv;
};
int export_command(const ExportParams& params, std::ostream& out);

struct StatusParams {
  std::filesystem::path db = "comet.db";
  std::optional<std::string> sweep;  // every sweep when empty
  OutputFormat format = OutputFormat::table;
};
// Counts of trials by state per sweep, then the running trials (epochs, last validation
// accuracy, ETA from their own epoch times) and the failed or diverged ones with their errors.
// Read-only; works while a sweep runs. json: {"sweeps": [...], "trials": [...]}.
int status_command(const StatusParams& params, std::ostream& out);

struct ServeParams {
  std::filesystem::path db = "comet.db";
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 address, or localhost
  int port = 8050;                 // 0: any free port (the printed URL names it)
  // Readable once per SIGINT/SIGTERM (main's InterruptPipe): the server stops when it is.
  int stop_fd = -1;
};
// `comet serve`: the page and JSON API over the database, read-only (docs/serve.md). Checks the
// database (StoreError, exit 3, as the other readers), binds, prints the URL to `out` (a warning
// to `err` for an address other than loopback) and serves until stop_fd is readable; then
// returns kExitOk.
int serve_command(const ServeParams& params, std::ostream& out, std::ostream& err);

// The hidden `comet worker` subcommand: serves the scheduler's protocol on stdin/stdout.
int worker_command();

}  // namespace comet::cli
