#include <fmt/format.h>

#include <ostream>

#include "progress_printer.h"

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/cli/usage_error.h"
#include "comet/engine/runtime_info.h"
#include "comet/engine/sweep_runner.h"
#include "comet/results/seed_summary.h"

namespace comet::cli {

namespace {

// Rows: every grid axis but the seed; cells: best validation accuracy over epochs, mean ± std
// over seeds, and how many seeds have a value.
Table seed_table(const std::vector<results::SeedCell>& cells,
                 const std::vector<std::string>& axes) {
  Table table;
  for (const auto& axis : axes) table.columns.push_back({axis});
  table.columns.push_back({"best val_acc (mean ± std)"});
  table.columns.push_back({"n"});
  for (const auto& cell : cells) {
    std::vector<Cell> row;
    for (const auto& [axis, value] : cell.key) row.emplace_back(value);
    row.emplace_back(fmt::format("{:.4f} ± {:.4f}", cell.mean, cell.stddev));
    row.emplace_back(static_cast<std::int64_t>(cell.n));
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace

std::filesystem::path checkpoint_dir(const std::filesystem::path& db) {
  auto dir = db;
  dir += ".runs";
  return dir;
}

int run_command(const RunParams& params, std::ostream& out, std::ostream& err) {
  if (params.dry_run) return dry_run_command(params, out);
  auto spec = sweeps::parse_sweep_file(params.sweep_file);
  auto trials = sweeps::expand_trials(spec);
  if (std::string why; !engine::device_usable(params.device, &why)) {
    throw UsageError("--device " + params.device + " cannot be used: " + why);
  }
  if (params.threads < 0) throw UsageError("--threads must be >= 1 (or 0 for every core)");
  if (params.checkpoint_every < 0) throw UsageError("--checkpoint-every must be >= 0 (0: off)");
  const int threads = params.threads > 0 ? params.threads : engine::default_threads();
  engine::set_threads(threads);

  // The folder is created by the first checkpoint written, so a run that writes none (or fails
  // on its input) leaves nothing beside the database.
  engine::SweepRunner runner({params.device, params.data_root, params.rerun_failed,
                              checkpoint_dir(params.db), params.checkpoint_every});
  runner.prepare(trials);  // a data problem is reported before the database is touched

  auto store = results::ResultStore::open(params.db);
  store.register_sweep(spec, trials);

  long epochs_to_run = 0;
  int already_done = 0;
  for (const auto& t : trials) {
    const auto status = store.trial_status(t.id).value_or(results::TrialStatus::pending);
    if (status == results::TrialStatus::done) {
      ++already_done;
    } else {
      epochs_to_run += t.config.integer("epochs");
    }
  }
  std::vector<std::string> axes;
  for (const auto& axis : spec.grid) axes.push_back(axis.key);
  err << fmt::format(
      "comet: sweep '{}': {} trials ({} already done), device {}, {} threads, db {}\n", spec.name,
      trials.size(), already_done, params.device, threads, params.db.string());
  ProgressPrinter progress(err, params.progress_is_terminal, axes, epochs_to_run);
  const auto summary = runner.run(trials, store, progress);

  std::vector<std::string> cell_axes;
  for (const auto& axis : axes) {
    if (axis != "seed") cell_axes.push_back(axis);
  }
  const auto rows = store.list_trials(spec.name);
  out << "\n";
  print_table(seed_table(results::summarise_best_val_acc(rows, cell_axes), cell_axes),
              OutputFormat::table, out);

  int ended_badly = 0;
  for (const auto& row : rows) {
    ended_badly +=
        row.status == results::TrialStatus::failed || row.status == results::TrialStatus::diverged;
  }
  err << fmt::format(
      "comet: {} trials: {} ran ({} done, {} failed, {} diverged), {} skipped; results in {}\n",
      summary.total, summary.done + summary.failed + summary.diverged, summary.done, summary.failed,
      summary.diverged, summary.skipped, params.db.string());
  if (ended_badly > 0) {
    err << fmt::format(
        "comet: {} trial(s) of this sweep ended failed or diverged; see "
        "`comet ls trials --sweep {} --db {}`; rerun them with --rerun-failed\n",
        ended_badly, spec.name, params.db.string());
    return kExitTrialsFailed;
  }
  return kExitOk;
}

}  // namespace comet::cli
