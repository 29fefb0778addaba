#include <ostream>

#include "query_tables.h"

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/cli/usage_error.h"
#include "comet/results/comparison.h"
#include "comet/results/result_store.h"

namespace comet::cli {

namespace {

Cell config_cell(const sweeps::TrialConfig& config, const std::string& key) {
  if (!config.has(key)) return std::monostate{};
  return std::visit([](const auto& v) -> Cell { return v; }, config.at(key));
}

Cell optional_cell(const std::optional<double>& v) { return v ? Cell(*v) : Cell(std::monostate{}); }

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

}  // namespace

int ls_trials_command(const LsTrialsParams& params, std::ostream& out) {
  std::optional<results::TrialStatus> status;
  if (params.status) {
    try {
      status = results::trial_status_from_string(*params.status);
    } catch (const results::StoreError&) {
      throw UsageError("--status '" + *params.status +
                       "': allowed are pending, running, done, failed, diverged");
    }
  }
  const results::TrialFilter filter(params.where);
  auto store = results::ResultStore::open_read_only(params.db);
  auto rows = filter.apply(store.list_trials(params.sweep));
  if (status) std::erase_if(rows, [&](const auto& r) { return r.status != *status; });
  Table table;
  table.columns = {{"id"},     {"sweep"},  {"model"},  {"width"},           {"p_k"},
                   {"seed"},   {"status"}, {"epochs"}, {"best_val_acc", 4}, {"final_val_acc", 4},
                   {"params"}, {"error"}};
  for (const auto& r : rows) {
    table.rows.push_back({r.id, join(r.sweeps), config_cell(r.config, "model"),
                          config_cell(r.config, "width"), config_cell(r.config, "p_k"),
                          config_cell(r.config, "seed"), std::string(results::to_string(r.status)),
                          static_cast<std::int64_t>(r.epochs_done), optional_cell(r.best_val_acc),
                          optional_cell(r.final_val_acc),
                          r.trainable_parameters ? Cell(*r.trainable_parameters) : Cell{},
                          r.last_error.empty() ? Cell{} : Cell(r.last_error)});
  }
  print_table(table, params.format, out);
  return kExitOk;
}

Table sweeps_table(const results::ResultStore& store) {
  Table table;
  table.columns = {{"sweep"},  {"trials"},   {"pending"}, {"running"},    {"done"},
                   {"failed"}, {"diverged"}, {"file"},    {"registered"}, {"updated"}};
  for (const auto& s : store.list_sweeps()) {
    table.rows.push_back({s.name, std::int64_t{s.trials}, std::int64_t{s.pending},
                          std::int64_t{s.running}, std::int64_t{s.done}, std::int64_t{s.failed},
                          std::int64_t{s.diverged}, s.source_path, s.created_at, s.updated_at});
  }
  return table;
}

int ls_sweeps_command(const LsSweepsParams& params, std::ostream& out) {
  auto store = results::ResultStore::open_read_only(params.db);
  print_table(sweeps_table(store), params.format, out);
  return kExitOk;
}

}  // namespace comet::cli
