#pragma once
// The rows of `comet ls sweeps`, `show`, `compare` and `export` over an open store. The commands
// print them; `comet serve` sends the same rows as JSON, so the API has the field names of
// `--format json` and no query of its own.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "comet/cli/commands.h"
#include "comet/cli/table_printer.h"
#include "comet/results/comparison.h"
#include "comet/results/result_store.h"

namespace comet::cli {

// comet ls sweeps: one row per sweep with its trial counts by state.
Table sweeps_table(const results::ResultStore& store);

// comet export (without --curves): one row per trial, every config key the trials have.
Table trials_table(const std::vector<results::TrialRow>& trials);

// comet show: the trial with this id or unique id prefix (UsageError otherwise).
results::TrialRow find_trial(const results::ResultStore& store, const std::string& wanted);
// comet show --format json.
nlohmann::ordered_json trial_json(const results::ResultStore& store,
                                  const results::TrialRow& trial);

// comet compare: the comparison as asked (QueryError for a question the data cannot answer).
struct Comparison {
  results::ComparisonSpec spec;
  std::vector<results::ComparisonCell> cells;
};
Comparison compare_sweep(const results::ResultStore& store, const CompareParams& params);
// compare --format csv|json: one row per (row, column, compared value).
Table comparison_rows(const Comparison& comparison, const CompareParams& params);

}  // namespace comet::cli
