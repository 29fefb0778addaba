#include "comet/results/comparison.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include "comet/sweeps/param_schema.h"
#include "comet/sweeps/param_value.h"

namespace comet::results {

namespace {

std::string value_of(const sweeps::TrialConfig& config, const std::string& key) {
  if (key.empty() || !config.has(key)) return "";
  return sweeps::to_display(config.at(key));
}

// Both texts read entirely as numbers: compared as numbers, so that 1e-3 matches 0.001.
bool same_number(const std::string& a, const std::string& b) {
  char* end_a = nullptr;
  char* end_b = nullptr;
  const double x = std::strtod(a.c_str(), &end_a);
  const double y = std::strtod(b.c_str(), &end_b);
  return !a.empty() && !b.empty() && *end_a == '\0' && *end_b == '\0' && x == y;
}

struct Moments {
  double mean = 0, stddev = 0;
};

Moments moments(const std::vector<double>& values) {
  Moments m;
  double sum = 0;
  for (double v : values) sum += v;
  m.mean = sum / static_cast<double>(values.size());
  if (values.size() > 1) {
    double squares = 0;
    for (double v : values) squares += (v - m.mean) * (v - m.mean);
    m.stddev = std::sqrt(squares / static_cast<double>(values.size() - 1));
  }
  return m;
}

// Whether the trial's model ignores `key` (ParamDef::ignored_when: p_k of a standard trial,
// which expand_trials folds to its default).
bool ignores(const sweeps::TrialConfig& config, const std::string& key) {
  const sweeps::ParamDef* def = sweeps::find_param(key);
  return def != nullptr && def->ignored_in(config);
}

// The values an axis takes among the trials that use the key, in first-seen order. A trial
// that ignores the key (standard in a p_k grid) is in the cell of each of them, as Fig. 4
// draws the standard model in every panel; alone, it keeps its own value.
std::vector<std::string> used_values(const std::vector<const TrialRow*>& done,
                                     const std::string& key) {
  std::vector<std::string> values;
  if (key.empty()) return values;
  for (const auto* trial : done) {
    if (ignores(trial->config, key)) continue;
    const auto value = value_of(trial->config, key);
    if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
  }
  return values;
}

std::vector<std::string> cells_of(const std::vector<std::string>& used,
                                  const sweeps::TrialConfig& config, const std::string& key) {
  if (!key.empty() && !used.empty() && ignores(config, key)) return used;
  return {value_of(config, key)};
}

}  // namespace

TrialFilter::TrialFilter(const std::vector<std::string>& conditions) {
  for (const auto& condition : conditions) {
    const auto eq = condition.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw QueryError(
          fmt::format("--where '{}': expected key=value, e.g. model=comet", condition));
    }
    conditions_.emplace_back(condition.substr(0, eq), condition.substr(eq + 1));
  }
}

bool TrialFilter::matches(const sweeps::TrialConfig& config) const {
  for (const auto& [key, wanted] : conditions_) {
    if (!config.has(key)) return false;
    const auto shown = sweeps::to_display(config.at(key));
    if (shown != wanted && !same_number(shown, wanted)) return false;
  }
  return true;
}

std::vector<TrialRow> TrialFilter::apply(std::vector<TrialRow> trials) const {
  std::vector<TrialRow> kept;
  for (auto& trial : trials) {
    if (matches(trial.config)) kept.push_back(std::move(trial));
  }
  return kept;
}

Aggregate aggregate_from_string(std::string_view text) {
  if (text == "best") return Aggregate::best;
  if (text == "final") return Aggregate::final;
  if (text == "auc") return Aggregate::auc;
  throw QueryError(fmt::format("--agg '{}': allowed are best, final, auc", text));
}

bool lower_is_better(std::string_view metric) {
  return metric == "loss" || metric == "mse" || metric == "error" || metric == "perplexity" ||
         metric == "ppl" || metric == "seconds";
}

std::string default_metric(const std::vector<TrialRow>& trials) {
  const auto all = [&](const auto& predicate) {
    return !trials.empty() && std::all_of(trials.begin(), trials.end(), predicate);
  };
  // Language models have no accuracy: validation perplexity, lower is better (Figs. 9-10).
  if (all([](const TrialRow& trial) {
        return trial.config.has("arch") && trial.config.text("arch") == "gpt2";
      })) {
    return "val_ppl";
  }
  const bool regression = all([](const TrialRow& trial) {
    return trial.config.has("task") && trial.config.text("task") == "regression";
  });
  return regression ? "val_loss" : "val_acc";
}

std::optional<double> reduce(const std::vector<std::pair<int, double>>& series, Aggregate aggregate,
                             bool lower_better) {
  std::optional<double> result;
  double sum = 0;
  int count = 0;
  for (const auto& [epoch, value] : series) {
    if (std::isnan(value)) continue;
    ++count;
    sum += value;
    switch (aggregate) {
      case Aggregate::best:
        if (!result || (lower_better ? value < *result : value > *result)) result = value;
        break;
      case Aggregate::final:
        result = value;  // the series is ordered by epoch
        break;
      case Aggregate::auc:
        result = sum / count;
        break;
    }
  }
  return result;
}

std::vector<ComparisonCell> compare_trials(const std::vector<TrialRow>& trials,
                                           const MetricSeries& series, const ComparisonSpec& spec) {
  std::vector<const TrialRow*> done;
  for (const auto& trial : trials) {
    if (trial.status == TrialStatus::done) done.push_back(&trial);
  }
  if (done.empty()) throw QueryError("no done trial matches: nothing to compare");
  for (const auto* axis : {&spec.rows, &spec.cols, &spec.by}) {
    if (axis->empty()) continue;
    bool present = false;
    for (const auto* trial : done) present |= trial->config.has(*axis);
    if (!present) throw QueryError(fmt::format("no trial has the key '{}'", *axis));
  }
  // A key that varies but is neither compared nor the seed would be averaged as if it were one.
  std::map<std::string, std::set<std::string>> values_of_key;
  // A key a trial ignores holds its default there, not a value to pool (p_k of standard).
  for (const auto* trial : done) {
    for (const auto& [key, value] : trial->config.values()) {
      if (!ignores(trial->config, key)) values_of_key[key].insert(sweeps::to_display(value));
    }
  }
  for (const auto& [key, values] : values_of_key) {
    if (values.size() > 1 && key != "seed" && key != spec.rows && key != spec.cols &&
        key != spec.by) {
      throw QueryError(fmt::format(
          "'{}' takes {} values among these trials ({}); compare over it (--rows/--cols/--by {}) "
          "or keep one (--where {}={})",
          key, values.size(), fmt::join(values, ", "), key, key, *values.begin()));
    }
  }

  const bool lower = lower_is_better(spec.metric);
  using Key = std::tuple<std::string, std::string, std::string>;
  std::vector<Key> order;
  std::map<Key, std::vector<double>> values;
  const auto used_rows = used_values(done, spec.rows);
  const auto used_cols = used_values(done, spec.cols);
  for (const auto* trial : done) {
    const auto found = series.find(trial->id);
    std::optional<double> v;
    if (found != series.end()) v = reduce(found->second, spec.aggregate, lower);
    for (const auto& row : cells_of(used_rows, trial->config, spec.rows)) {
      for (const auto& col : cells_of(used_cols, trial->config, spec.cols)) {
        Key key{row, col, value_of(trial->config, spec.by)};
        auto [cell, inserted] = values.try_emplace(key);
        if (inserted) order.push_back(key);
        if (v) cell->second.push_back(*v);
      }
    }
  }
  std::vector<ComparisonCell> cells;
  for (const auto& key : order) {
    ComparisonCell cell{std::get<0>(key), std::get<1>(key), std::get<2>(key), 0, 0, 0, false};
    const auto& v = values.at(key);
    cell.n = static_cast<int>(v.size());
    if (!v.empty()) {
      const auto m = moments(v);
      cell.mean = m.mean;
      cell.stddev = m.stddev;
    }
    cells.push_back(cell);
  }
  // The winner of each (row, col): ties all marked.
  std::map<std::pair<std::string, std::string>, double> best;
  for (const auto& c : cells) {
    if (c.n == 0) continue;
    auto [it, inserted] = best.try_emplace({c.row, c.col}, c.mean);
    if (!inserted && (lower ? c.mean < it->second : c.mean > it->second)) it->second = c.mean;
  }
  for (auto& c : cells) c.best = c.n > 0 && best.at({c.row, c.col}) == c.mean;
  return cells;
}

}  // namespace comet::results
