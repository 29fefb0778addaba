// Selecting the trials of a figure and reading their curves, through ResultStore's public API.

#include "figure_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace comet::results::figure_data {
namespace {

std::string joined(const std::vector<std::string>& items) {
  if (items.empty()) return "none";
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

bool matches(const TrialRow& trial, const ConfigFilter& filter) {
  const auto value = value_of(trial, filter.key);
  return value && sweeps::to_display(*value) == filter.value;
}

// Why a filter selects nothing: its key is unknown, or the value is not among the key's values.
std::string no_match_message(const std::string& sweep, const std::vector<TrialRow>& trials,
                             const ConfigFilter& filter) {
  std::set<std::string> keys, values;
  for (const auto& trial : trials) {
    for (const auto& [key, value] : trial.config.values()) {
      keys.insert(key);
      if (key == filter.key) values.insert(sweeps::to_display(value));
    }
  }
  if (values.empty()) {
    return fmt::format("no trial of sweep '{}' has the key '{}'; keys: {}", sweep, filter.key,
                       joined({keys.begin(), keys.end()}));
  }
  return fmt::format("no trial of sweep '{}' (with the filters before it) has {}={}; {} has: {}",
                     sweep, filter.key, filter.value, filter.key,
                     joined({values.begin(), values.end()}));
}

}  // namespace

std::vector<TrialCurve> load_curves(const ResultStore& store, const std::string& sweep,
                                    const std::string& metric,
                                    const std::vector<ConfigFilter>& where) {
  const MetricKey key = parse_metric(metric);
  const auto sweeps = store.sweep_names();
  if (std::find(sweeps.begin(), sweeps.end(), sweep) == sweeps.end()) {
    throw FigureError(
        fmt::format("no sweep '{}' in the database; known sweeps: {}", sweep, joined(sweeps)));
  }
  std::vector<TrialRow> selected = store.list_trials(sweep);
  if (selected.empty()) throw FigureError(fmt::format("sweep '{}' has no trials", sweep));
  // Filters apply one after another, so a failing one is reported against what the earlier
  // ones left: "model=comet" then "width=7" names the widths comet trials have.
  for (const auto& filter : where) {
    std::vector<TrialRow> kept;
    for (auto& trial : selected) {
      if (matches(trial, filter)) kept.push_back(std::move(trial));
    }
    if (kept.empty()) {
      throw FigureError(no_match_message(sweep, store.list_trials(sweep), filter) +
                        " (values are compared as text, as `comet ls trials` shows them)");
    }
    selected = std::move(kept);
  }

  std::vector<TrialCurve> curves;
  std::set<std::string> recorded;  // what the selection did record, for the error message
  for (auto& trial : selected) {
    TrialCurve curve{std::move(trial), {}};
    for (const auto& point : store.curve(curve.trial.id)) {
      if (point.split == key.split && point.name == key.name) {
        curve.points.emplace_back(point.epoch, point.value);
      } else if (point.split == "train" || point.split == "val" || point.split == "test") {
        recorded.insert(point.split + "_" + point.name);
      }
    }
    if (!curve.points.empty()) curves.push_back(std::move(curve));
  }
  if (curves.empty()) {
    throw FigureError(
        fmt::format("none of the {} selected trials of sweep '{}' recorded {}; they recorded: {}",
                    selected.size(), sweep, metric, joined({recorded.begin(), recorded.end()})));
  }
  return curves;
}

std::optional<sweeps::ParamValue> value_of(const TrialRow& trial, std::string_view key) {
  if (!trial.config.has(key)) return std::nullopt;
  return trial.config.at(key);
}

std::string display_of(const std::optional<sweeps::ParamValue>& value) {
  return value ? sweeps::to_display(*value) : "(unset)";
}

std::vector<std::optional<sweeps::ParamValue>> distinct_values(
    const std::vector<TrialCurve>& curves, const std::string& key, const std::string& sweep) {
  // std::optional and std::variant order: unset first, then by type, numbers numerically.
  std::set<std::optional<sweeps::ParamValue>> values;
  std::set<std::string> keys;
  bool any = false;
  for (const auto& curve : curves) {
    values.insert(value_of(curve.trial, key));
    any = any || curve.trial.config.has(key);
    for (const auto& entry : curve.trial.config.values()) keys.insert(entry.first);
  }
  if (!any) {
    throw FigureError(fmt::format("no trial of sweep '{}' has the key '{}'; keys: {}", sweep, key,
                                  joined({keys.begin(), keys.end()})));
  }
  return {values.begin(), values.end()};
}

std::vector<std::string> varying_keys(const std::vector<TrialCurve>& curves) {
  std::set<std::string> keys;
  for (const auto& curve : curves) {
    for (const auto& entry : curve.trial.config.values()) keys.insert(entry.first);
  }
  std::vector<std::string> varying;
  for (const auto& key : keys) {
    const auto first = value_of(curves.front().trial, key);
    for (const auto& curve : curves) {
      if (value_of(curve.trial, key) != first) {
        varying.push_back(key);
        break;
      }
    }
  }
  return varying;
}

std::string_view series_color(std::size_t index) {
  // Tableau 10 and black and navy (the paper has 11 models): distinct hues that stay apart in
  // greyscale print and for most colour blindness.
  static constexpr std::string_view kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                  "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                                  "#bcbd22", "#17becf", "#000000", "#393b79"};
  return kPalette[index % std::size(kPalette)];
}

std::string number_text(double value) {
  // gnuplot reads "NaN" as a missing point; a diverged trial's inf would be a parse error.
  if (!std::isfinite(value)) return "NaN";
  return fmt::format("{}", value);
}

int last_epoch(const std::vector<TrialCurve>& curves) {
  int last = 1;
  for (const auto& curve : curves) {
    if (!curve.points.empty()) last = std::max(last, curve.points.back().first);
  }
  return last;
}

}  // namespace comet::results::figure_data
