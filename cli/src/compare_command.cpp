// comet compare: mean ± std over seeds per cell, the best variant per cell marked.

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "query_tables.h"

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/results/comparison.h"

namespace comet::cli {

namespace {

// "val_acc" -> (val, acc); a bare "acc" keeps the default split.
std::pair<std::string, std::string> split_and_metric(const CompareParams& p,
                                                     const std::string& asked) {
  std::string split = "val", metric = asked;
  for (const char* known : {"train_", "val_", "test_"}) {
    const std::string prefix = known;
    if (asked.rfind(prefix, 0) == 0) {
      split = prefix.substr(0, prefix.size() - 1);
      metric = asked.substr(prefix.size());
    }
  }
  if (!p.split.empty()) split = p.split;
  return {split, metric};
}

std::string axis(const std::string& name) { return name == "none" ? "" : name; }

}  // namespace

Comparison compare_sweep(const results::ResultStore& store, const CompareParams& params) {
  Comparison comparison;
  auto& spec = comparison.spec;
  spec.rows = axis(params.rows);
  spec.cols = axis(params.cols);
  spec.by = axis(params.by);
  spec.aggregate = results::aggregate_from_string(params.agg);
  const results::TrialFilter filter(params.where);
  const auto trials = filter.apply(store.list_trials(params.sweep));
  const std::string asked = params.metric.empty() ? results::default_metric(trials) : params.metric;
  std::tie(spec.split, spec.metric) = split_and_metric(params, asked);
  const auto series = store.metric_series(params.sweep, spec.split, spec.metric);
  if (series.empty()) {
    throw results::QueryError(fmt::format(
        "sweep '{}' has no {}/{} values (metrics are e.g. val_acc, val_loss, train_loss)",
        params.sweep, spec.split, spec.metric));
  }
  comparison.cells = results::compare_trials(trials, series, spec);
  return comparison;
}

Table comparison_rows(const Comparison& comparison, const CompareParams& params) {
  const auto& spec = comparison.spec;
  Table table;
  table.columns = {{"row_axis"}, {"row"}, {"col_axis"}, {"col"}, {"by_axis"}, {"by"},
                   {"metric"},   {"agg"}, {"mean"},     {"std"}, {"n"},       {"best"}};
  for (const auto& c : comparison.cells) {
    table.rows.push_back({spec.rows, c.row, spec.cols, c.col, spec.by, c.by,
                          spec.split + "_" + spec.metric, params.agg, c.mean, c.stddev,
                          std::int64_t{c.n}, std::int64_t{c.best ? 1 : 0}});
  }
  return table;
}

int compare_command(const CompareParams& params, std::ostream& out) {
  // The question is checked before the database is opened (a bad --agg is exit 2 either way).
  results::aggregate_from_string(params.agg);
  const results::TrialFilter filter(params.where);
  auto store = results::ResultStore::open_read_only(params.db);
  const auto comparison = compare_sweep(store, params);
  const auto& spec = comparison.spec;
  const auto& cells = comparison.cells;

  if (params.format != OutputFormat::table) {
    // Long and typed for programs: one row per (row, column, variant).
    print_table(comparison_rows(comparison, params), params.format, out);
    return kExitOk;
  }
  Table table;
  // For people: one line per (row, column), one column per variant, the winner starred.
  std::vector<std::string> variants;
  for (const auto& c : cells) {
    if (std::find(variants.begin(), variants.end(), c.by) == variants.end()) {
      variants.push_back(c.by);
    }
  }
  if (!spec.rows.empty()) table.columns.push_back({spec.rows});
  if (!spec.cols.empty()) table.columns.push_back({spec.cols});
  for (const auto& v : variants) table.columns.push_back({v.empty() ? "all" : v});
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& c : cells) {
    if (std::find(keys.begin(), keys.end(), std::pair{c.row, c.col}) == keys.end()) {
      keys.emplace_back(c.row, c.col);
    }
  }
  for (const auto& [row, col] : keys) {
    std::vector<Cell> line;
    if (!spec.rows.empty()) line.emplace_back(row);
    if (!spec.cols.empty()) line.emplace_back(col);
    for (const auto& v : variants) {
      const auto it = std::find_if(cells.begin(), cells.end(), [&](const auto& c) {
        return c.row == row && c.col == col && c.by == v;
      });
      if (it == cells.end() || it->n == 0) {
        line.emplace_back(std::monostate{});
      } else {
        line.emplace_back(fmt::format("{}{:.4f} ± {:.4f} ({})", it->best ? "*" : " ", it->mean,
                                      it->stddev, it->n));
      }
    }
    table.rows.push_back(std::move(line));
  }
  print_table(table, params.format, out);
  out << fmt::format("{} {}_{} over seeds: mean ± std (n); * the {} per row{}\n", params.agg,
                     spec.split, spec.metric,
                     results::lower_is_better(spec.metric) ? "lowest" : "highest",
                     spec.by.empty() ? "" : " of " + spec.by);
  return kExitOk;
}

}  // namespace comet::cli
