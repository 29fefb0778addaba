// comet run --dry-run: the plan of a sweep against the database, without running or writing.

#include <filesystem>
#include <ostream>

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/results/result_store.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::cli {
namespace {

// What `comet run` would do with a trial in this state (docs/commands/run.md).
std::string action_for(std::optional<results::TrialStatus> status, engine::Rerun rerun,
                       bool has_checkpoint) {
  using results::TrialStatus;
  if (status == TrialStatus::done) {
    return rerun == engine::Rerun::all ? "run (done; --rerun all)" : "skip (done)";
  }
  const bool ended_badly = status == TrialStatus::failed || status == TrialStatus::diverged;
  if (ended_badly && rerun == engine::Rerun::none) {
    return "skip (" + std::string(results::to_string(*status)) + "; --rerun failed reruns it)";
  }
  // Reading the checkpoint's epoch needs torch; its presence is what the plan can tell.
  return has_checkpoint ? "resume (checkpoint present)" : "run";
}

}  // namespace

int dry_run_command(const RunParams& params, std::ostream& out) {
  auto spec = sweeps::parse_sweep_file(params.sweep_file, params.overrides);
  auto trials = sweeps::expand_trials(spec);
  const auto rerun = rerun_mode(params.rerun);
  std::optional<results::ResultStore> store;
  if (std::filesystem::exists(params.db)) store = results::ResultStore::open_read_only(params.db);
  const auto checkpoints = checkpoint_dir(params.db);

  // One column per key that is an axis of any grid (several grids: the union).
  const auto axes = sweeps::axis_keys(spec);
  Table table;
  table.columns.push_back({"id"});
  for (const auto& axis : axes) table.columns.push_back({axis});
  table.columns.push_back({"action"});
  int to_run = 0;
  for (const auto& trial : trials) {
    // A database of an earlier comet may hold the trial under an unfolded id (earlier_ids):
    // the run adopts that one, so the plan reads its status and checkpoint.
    std::optional<results::TrialStatus> status;
    std::string stored_id = trial.id;
    if (store) {
      if (auto found = store->stored_id(trial)) {
        stored_id = *found;
        status = store->trial_status(stored_id);
      }
    }
    const bool has_checkpoint =
        std::filesystem::exists(checkpoints / sweeps::trial_file_name(stored_id, ".ckpt"));
    const auto action = action_for(status, rerun, has_checkpoint);
    to_run += action.rfind("skip", 0) != 0;
    std::vector<Cell> row{trial.id};
    for (const auto& axis : axes) {
      // Blank where the trial does not hold the key: a scoped axis that does not apply to it
      // (bernoulli.p of a comet trial). A grid without the axis gives its trials the key's
      // default, which is shown: it is what the trial runs with and what the database stores.
      row.emplace_back(trial.config.has(axis) ? sweeps::to_display(trial.config.at(axis))
                                              : std::string());
    }
    row.emplace_back(action);
    table.rows.push_back(std::move(row));
  }
  print_table(table, OutputFormat::table, out);
  out << "sweep '" << spec.name << "': " << trials.size() << " trials"
      << folded_note(spec, trials.size()) << ", " << to_run << " to run, "
      << trials.size() - static_cast<std::size_t>(to_run) << " to skip; db " << params.db.string()
      << (store ? "" : " (not created yet)") << "; dry run: nothing done\n";
  return kExitOk;
}

}  // namespace comet::cli
