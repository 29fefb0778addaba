#pragma once
// Every subcommand is a function over a params struct: main parses the command line into one,
// tests call the function in-process. Each returns an ExitCode and throws the layers' typed
// exceptions, which run_guarded (error_boundary.h) turns into messages and exit codes.

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

#include "comet/cli/table_printer.h"

namespace comet::cli {

struct RunParams {
  std::filesystem::path sweep_file;
  std::filesystem::path db = "comet.db";
  std::string device = "cpu";
  std::filesystem::path data_root;  // empty: COMET_DATA or the XDG cache folder
  int threads = 1;  // torch intra-op threads of a trial (measured fastest at batch 32)
  bool rerun_failed = false;
  // Epochs between checkpoints (0: none are written), kept in checkpoint_dir(db).
  int checkpoint_every = 1;
  bool progress_is_terminal = false;  // set by main from isatty(stderr)
  bool dry_run = false;               // print what would run; load nothing, write nothing
};
// Parses and expands the sweep, loads its data, registers it, runs the trials not yet done,
// then prints the seed-aggregated table to `out`. Progress goes to `err`.
int run_command(const RunParams& params, std::ostream& out, std::ostream& err);
// `comet run --dry-run`: validates and expands the sweep, reads the database if there is one
// (read-only), and prints one row per trial with what a run would do. Loads no data, writes
// nothing.
int dry_run_command(const RunParams& params, std::ostream& out);
// The checkpoint folder of a database: `<db>.runs` beside it (comet.db -> comet.db.runs).
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

}  // namespace comet::cli
