#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <ostream>
#include <string_view>

#include "progress_printer.h"
#include "run_lock.h"
#include "slot_plan.h"

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/cli/usage_error.h"
#include "comet/engine/runtime_info.h"
#include "comet/engine/trial_scheduler.h"
#include "comet/engine/worker.h"
#include "comet/results/comparison.h"
#include "comet/results/seed_summary.h"
#include "comet/version.h"

namespace comet::cli {

namespace {

// Rows: every grid axis but the seed; cells: the best value over epochs of `metric`
// (val_acc, or val_loss for regression), mean ± std over seeds, and how many seeds have one.
Table seed_table(const std::vector<results::SeedCell>& cells, const std::vector<std::string>& axes,
                 const std::string& metric) {
  Table table;
  for (const auto& axis : axes) table.columns.push_back({axis});
  table.columns.push_back(
      {fmt::format("best {}{} (mean ± std)", metric, metric == "val_loss" ? ", MSE" : "")});
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

// "4 model x 10 width x 30 seed" per grid, " + " between grids.
std::string grid_sizes(const sweeps::SweepSpec& spec) {
  std::string sizes;
  for (const auto& grid : spec.grids) {
    std::string product;
    for (const auto& axis : grid.axes) {
      product += fmt::format("{}{} {}", product.empty() ? "" : " x ", axis.values.size(), axis.key);
    }
    sizes += (sizes.empty() ? "" : " + ") + (product.empty() ? "1" : product);
  }
  return sizes;
}

// A sweep of more trials than a person likely meant (a typo in an axis, a forgotten seed list)
// is shown, not started: the count, where it comes from, and how to go on.
void confirm_size(const RunParams& params, const sweeps::SweepSpec& spec, std::size_t trials) {
  if (params.yes || trials <= sweeps::kTrialsWithoutConfirmation) return;
  throw UsageError(
      fmt::format("{}: the sweep has {} trials ({}: {}), more than the {} comet run starts without "
                  "confirmation; look at the plan with --dry-run, then pass --yes to run them all",
                  params.sweep_file.string(), trials, spec.grids.size() > 1 ? "grids" : "grid",
                  grid_sizes(spec), sweeps::kTrialsWithoutConfirmation));
}

// `text` as one shell word: as is when it holds only safe characters, else single-quoted.
std::string shell_word(const std::string& text) {
  const bool safe = !text.empty() && std::all_of(text.begin(), text.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) != 0 ||
           std::string_view("_-.,/=:+@%").find(ch) != std::string_view::npos;
  });
  if (safe) return text;
  std::string quoted = "'";
  for (char ch : text) quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return quoted + "'";
}

// The command that resumes this run: the same sweep, overrides and database.
std::string resume_command(const RunParams& params) {
  std::string command = "comet run " + shell_word(params.sweep_file.string());
  for (const auto& override_arg : params.overrides) {
    command += ' ';
    command += shell_word(override_arg.text);
  }
  command += " --db ";
  command += shell_word(params.db.string());
  if (params.yes) command += " --yes";
  return command;
}

// A trial's checkpoint and log follow it from its earlier id to its id. A checkpoint holds the
// unfolded config, so the trial may still start over from epoch 1 (with its warning line).
void rename_trial_files(const std::filesystem::path& run_dir, const std::string& from,
                        const std::string& to) {
  for (const char* extension : {".ckpt", ".log"}) {
    const auto source = run_dir / sweeps::trial_file_name(from, extension);
    const auto target = run_dir / sweeps::trial_file_name(to, extension);
    std::error_code error;
    if (std::filesystem::exists(source, error) && !std::filesystem::exists(target, error)) {
      std::filesystem::rename(source, target, error);  // best effort: only a log or a restart
    }
  }
}

}  // namespace

std::string folded_note(const sweeps::SweepSpec& spec, std::size_t trials) {
  const std::size_t points = sweeps::grid_point_count(spec);
  if (points <= trials) return "";
  return fmt::format(" ({} grid points, {} folded into equal trials: keys their model ignores)",
                     points, points - trials);
}

std::filesystem::path checkpoint_dir(const std::filesystem::path& db) {
  auto dir = db;
  dir += ".runs";
  return dir;
}

engine::Rerun rerun_mode(const std::string& rerun) {
  if (rerun == "none") return engine::Rerun::none;
  if (rerun == "failed") return engine::Rerun::failed;
  if (rerun == "all") return engine::Rerun::all;
  throw UsageError("--rerun '" + rerun + "': allowed are none, failed, all");
}

int run_command(const RunParams& params, std::ostream& out, std::ostream& err) {
  if (params.dry_run) return dry_run_command(params, out);
  auto spec = sweeps::parse_sweep_file(params.sweep_file, params.overrides);
  auto trials = sweeps::expand_trials(spec);
  confirm_size(params, spec, trials.size());
  if (params.checkpoint_every < 0) throw UsageError("--checkpoint-every must be >= 0 (0: off)");
  if (params.max_retries < 0) throw UsageError("--max-retries must be >= 0");
  const auto slots = plan_slots(params.devices, params.jobs_per_device, params.threads);

  engine::SchedulerOptions options;
  options.slots = slots;
  options.data_root = params.data_root;
  options.run_dir = checkpoint_dir(params.db);
  options.checkpoint_every = params.checkpoint_every;
  options.rerun = rerun_mode(params.rerun);
  options.max_retries = params.max_retries;
  options.fail_fast = params.fail_fast;
  options.worker_executable = params.worker_executable;
  options.interrupt_fd = params.interrupt_fd;
  options.attempt_info = {engine::host_name(), "", comet::version_string(), engine::torch_version(),
                          0};
  engine::TrialScheduler scheduler(options);
  // The first worker loads every dataset: a data problem is reported before the database is
  // touched (and nothing is written beside it).
  scheduler.start(trials);

  // Not before the data loaded: a sweep that fails on its input leaves nothing beside the DB.
  RunLock lock(checkpoint_dir(params.db));
  auto store = results::ResultStore::open(params.db);
  // Trials an earlier comet stored under their unfolded ids keep their files too.
  for (const auto& moved : store.register_sweep(spec, trials)) {
    rename_trial_files(checkpoint_dir(params.db), moved.earlier_id, moved.id);
  }

  long epochs_to_run = 0;
  int already_done = 0, to_run = 0;
  const auto rerun = rerun_mode(params.rerun);
  for (const auto& t : trials) {
    const auto status = store.trial_status(t.id).value_or(results::TrialStatus::pending);
    const bool ended_badly =
        status == results::TrialStatus::failed || status == results::TrialStatus::diverged;
    already_done += status == results::TrialStatus::done;
    if ((status == results::TrialStatus::done && rerun != engine::Rerun::all) ||
        (ended_badly && rerun == engine::Rerun::none)) {
      continue;
    }
    ++to_run;
    epochs_to_run += t.config.integer("epochs");
  }
  // Every grid's axes: the progress lines and the seed table show each trial's value of each.
  const std::vector<std::string> axes = sweeps::axis_keys(spec);
  err << fmt::format("comet: sweep '{}': {} trials{} ({} already done), {} slot(s): {}, db {}\n",
                     spec.name, trials.size(), folded_note(spec, trials.size()), already_done,
                     slots.size(), describe_slots(slots), params.db.string());
  ProgressPrinter progress(err, {params.progress_is_terminal, params.color, params.columns}, axes,
                           epochs_to_run, to_run);
  engine::RunSummary summary;
  try {
    summary = scheduler.run(trials, store, progress);
  } catch (const results::StoreError& e) {
    // The database or a checkpoint could not be written while trials ran: the scheduler has
    // stopped the workers; what was committed stays and the same command resumes.
    progress.finish();
    throw results::StoreError(fmt::format("{}; resume with: comet run {} --db {}", e.what(),
                                          params.sweep_file.string(), params.db.string()));
  }
  progress.finish();

  const auto rows = store.list_trials(spec.name);
  if (summary.interrupted_by_user) {
    err << fmt::format(
        "comet: interrupted: {} trial(s) stopped (they resume from their checkpoints), {} not "
        "started; resume with: {}\n",
        summary.interrupted, summary.not_started, resume_command(params));
    return kExitInterrupted;
  }

  std::vector<std::string> cell_axes;
  for (const auto& axis : axes) {
    if (axis != "seed") cell_axes.push_back(axis);
  }
  out << "\n";
  // A regression sweep records no accuracy: its table is the validation MSE, lowest best.
  const std::string metric = results::default_metric(rows);
  const auto cells =
      metric == "val_acc"
          ? results::summarise_best_val_acc(rows, cell_axes)
          : results::summarise_best(rows, cell_axes, store.metric_series(spec.name, "val", "loss"),
                                    results::lower_is_better("loss"));
  print_table(seed_table(cells, cell_axes, metric), OutputFormat::table, out);

  int ended_badly = 0;
  for (const auto& row : rows) {
    ended_badly +=
        row.status == results::TrialStatus::failed || row.status == results::TrialStatus::diverged;
  }
  err << fmt::format(
      "comet: {} trials: {} ran ({} done, {} failed, {} diverged{}), {} skipped; results in {}\n",
      summary.total, summary.done + summary.failed + summary.diverged, summary.done, summary.failed,
      summary.diverged,
      summary.retries > 0 ? fmt::format(", {} retried attempt(s)", summary.retries) : "",
      summary.skipped, params.db.string());
  if (summary.stopped) {
    err << fmt::format(
        "comet: --fail-fast stopped the sweep: {} trial(s) stopped, {} not started\n",
        summary.interrupted, summary.not_started);
  }
  if (ended_badly > 0) {
    err << fmt::format(
        "comet: {} trial(s) of this sweep ended failed or diverged; see "
        "`comet status {} --db {}`; rerun them with --rerun failed\n",
        ended_badly, spec.name, params.db.string());
    return kExitTrialsFailed;
  }
  return summary.stopped ? kExitTrialsFailed : kExitOk;
}

int worker_command() { return engine::run_worker(0, 1); }

}  // namespace comet::cli
