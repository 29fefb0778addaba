#include "comet/results/seed_summary.h"

#include <cmath>
#include <map>
#include <optional>

#include "comet/results/comparison.h"
#include "comet/sweeps/param_value.h"

namespace comet::results {
namespace {

using CellKey = std::vector<std::pair<std::string, std::string>>;

CellKey key_of(const TrialRow& trial, const std::vector<std::string>& axes) {
  CellKey key;
  for (const std::string& axis : axes) {
    if (axis == "seed") {
      continue;
    }
    const auto& values = trial.config.values();
    const auto found = values.find(axis);
    key.emplace_back(axis,
                     found == values.end() ? std::string() : sweeps::to_display(found->second));
  }
  return key;
}

SeedCell summarise(CellKey key, const std::vector<double>& values) {
  SeedCell cell;
  cell.key = std::move(key);
  cell.n = static_cast<int>(values.size());
  if (values.empty()) {
    return cell;
  }
  double sum = 0;
  for (double value : values) {
    sum += value;
  }
  cell.mean = sum / static_cast<double>(values.size());
  if (values.size() > 1) {
    double squares = 0;
    for (double value : values) {
      squares += (value - cell.mean) * (value - cell.mean);
    }
    cell.stddev = std::sqrt(squares / static_cast<double>(values.size() - 1));
  }
  return cell;
}

// Cells in first-seen order of the trials, each with the values `value_of` gives its done trials.
template <typename ValueOf>
std::vector<SeedCell> summarise_cells(const std::vector<TrialRow>& trials,
                                      const std::vector<std::string>& axes, ValueOf value_of) {
  std::vector<CellKey> order;
  std::map<CellKey, std::vector<double>> values_of_cell;
  for (const TrialRow& trial : trials) {
    CellKey key = key_of(trial, axes);
    auto [cell, inserted] = values_of_cell.try_emplace(key);
    if (inserted) {
      order.push_back(std::move(key));
    }
    // A cell appears as soon as any of its trials exists; only finished trials give values.
    if (trial.status != TrialStatus::done) continue;
    if (const std::optional<double> value = value_of(trial)) cell->second.push_back(*value);
  }
  std::vector<SeedCell> cells;
  cells.reserve(order.size());
  for (CellKey& key : order) {
    const auto& values = values_of_cell.at(key);
    cells.push_back(summarise(std::move(key), values));
  }
  return cells;
}

}  // namespace

std::vector<SeedCell> summarise_best(
    const std::vector<TrialRow>& trials, const std::vector<std::string>& axes,
    const std::map<std::string, std::vector<std::pair<int, double>>>& series,
    bool lower_is_better) {
  return summarise_cells(trials, axes, [&](const TrialRow& trial) -> std::optional<double> {
    const auto found = series.find(trial.id);
    if (found == series.end()) return std::nullopt;
    return reduce(found->second, Aggregate::best, lower_is_better);
  });
}

std::vector<SeedCell> summarise_best_val_acc(const std::vector<TrialRow>& trials,
                                             const std::vector<std::string>& axes) {
  return summarise_cells(trials, axes, [](const TrialRow& trial) { return trial.best_val_acc; });
}

}  // namespace comet::results
