// comet export SWEEP: the sweep's results for other programs, one row per trial or, with
// --curves, one row per (trial, epoch, metric) in long format.

#include <cmath>
#include <map>
#include <ostream>
#include <set>

#include "query_tables.h"

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/results/comparison.h"
#include "comet/results/result_store.h"

namespace comet::cli {

namespace {

Cell cell_of(const sweeps::TrialConfig& config, const std::string& key) {
  if (!config.has(key)) return std::monostate{};
  return std::visit([](const auto& v) -> Cell { return v; }, config.at(key));
}

}  // namespace

Table trials_table(const std::vector<results::TrialRow>& trials) {
  std::set<std::string> keys;
  for (const auto& t : trials) {
    for (const auto& [key, value] : t.config.values()) keys.insert(key);
  }
  Table table;
  table.columns.push_back({"trial"});
  for (const auto& key : keys) table.columns.push_back({key});
  for (const char* c : {"status", "epochs", "best_val_acc", "final_val_acc", "params"}) {
    table.columns.push_back({c});
  }
  for (const auto& t : trials) {
    std::vector<Cell> row{t.id};
    for (const auto& key : keys) row.push_back(cell_of(t.config, key));
    row.push_back(std::string(results::to_string(t.status)));
    row.push_back(std::int64_t{t.epochs_done});
    row.push_back(t.best_val_acc ? Cell(*t.best_val_acc) : Cell{});
    row.push_back(t.final_val_acc ? Cell(*t.final_val_acc) : Cell{});
    row.push_back(t.trainable_parameters ? Cell(*t.trainable_parameters) : Cell{});
    table.rows.push_back(std::move(row));
  }
  return table;
}

int export_command(const ExportParams& params, std::ostream& out) {
  auto store = results::ResultStore::open_read_only(params.db);
  const auto trials = results::TrialFilter(params.where).apply(store.list_trials(params.sweep));
  // Every config key, so that a row needs no join to be understood (the long format repeats
  // them; a spreadsheet or pandas filters on them directly).
  std::set<std::string> keys;
  for (const auto& t : trials) {
    for (const auto& [key, value] : t.config.values()) keys.insert(key);
  }
  Table table;
  table.columns.push_back({"trial"});
  for (const auto& key : keys) table.columns.push_back({key});
  if (params.curves) {
    for (const char* c : {"epoch", "split", "metric", "value"}) table.columns.push_back({c});
    for (const auto& t : trials) {
      for (const auto& p : store.curve(t.id)) {
        std::vector<Cell> row{t.id};
        for (const auto& key : keys) row.push_back(cell_of(t.config, key));
        row.push_back(std::int64_t{p.epoch});
        row.push_back(p.split);
        row.push_back(p.name);
        row.push_back(std::isnan(p.value) ? Cell{} : Cell(p.value));
        table.rows.push_back(std::move(row));
      }
    }
  } else {
    table = trials_table(trials);
  }
  print_table(table, params.format, out);
  return kExitOk;
}

}  // namespace comet::cli
