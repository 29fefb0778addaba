#pragma once
// What the figures share: the selected trials of a sweep with one metric's curve each, the
// distinct values of a config key, colours, numbers as data-file text. Private to results/.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "comet/results/figures.h"
#include "comet/results/result_store.h"
#include "comet/sweeps/param_value.h"

namespace comet::results::figure_data {

struct TrialCurve {
  TrialRow trial;
  std::vector<std::pair<int, double>> points;  // (epoch, value) of the metric, by epoch
};

// The sweep's trials that pass every filter and recorded the metric, in the sweep's order.
// Throws FigureError for an unknown sweep (naming the known ones), a filter no trial matches
// (naming the values its key has) and a metric none of the selected trials recorded (naming
// the metrics they did record).
std::vector<TrialCurve> load_curves(const ResultStore& store, const std::string& sweep,
                                    const std::string& metric,
                                    const std::vector<ConfigFilter>& where);

// A trial's value of `key`; nullopt when its config has no such key (a scoped key).
std::optional<sweeps::ParamValue> value_of(const TrialRow& trial, std::string_view key);
// to_display of the value, "(unset)" for a key the trial does not have.
std::string display_of(const std::optional<sweeps::ParamValue>& value);

// The distinct values of `key` over the curves, sorted (numbers numerically; unset first).
// Throws FigureError when no curve's trial has the key, naming the keys they have.
std::vector<std::optional<sweeps::ParamValue>> distinct_values(
    const std::vector<TrialCurve>& curves, const std::string& key, const std::string& sweep);

// The config keys whose value is not the same in every curve's trial (the sweep's grid axes
// as far as the selection shows them), in key order.
std::vector<std::string> varying_keys(const std::vector<TrialCurve>& curves);

// A colour for the i-th series ("#rrggbb"), cycling through a palette readable in print.
std::string_view series_color(std::size_t index);

// A number as data-file text: shortest round trip, "NaN" for NaN and infinities.
std::string number_text(double value);

// The largest epoch of any curve (at least 1).
int last_epoch(const std::vector<TrialCurve>& curves);

}  // namespace comet::results::figure_data
