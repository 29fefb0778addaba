// expand_trials: the cartesian product of a sweep's grid, scoped keys applied, cross-key
// checks, one trial per id.

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "axis_order.h"
#include "cross_key_rules.h"
#include "model_presets.h"
#include "param_scope.h"
#include "trial_count.h"
#include "value_location.h"

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

std::size_t checked_trial_count(const std::vector<Grid>& grids) {
  TrialTotal total;
  for (const Grid& grid : grids) total.add(checked_grid_trials(grid.axes), grid.mark);
  return total.total();
}

// The trials of one grid's cartesian product, appended to `trials` unless an equal one is
// there already (index_of_id: the position of each id in `trials`).
void expand_grid(const SweepSpec& spec, const std::vector<GridAxis>& axes,
                 std::vector<TrialSpec>& trials,
                 std::unordered_map<std::string, std::size_t>& index_of_id) {
  std::size_t count = 1;
  // checked_trial_count bounds it; an axis without values (a spec built in code) gives none.
  for (const GridAxis& axis : axes) count *= axis.values.size();
  // An odometer over the axes: the last axis turns fastest.
  std::vector<std::size_t> position(axes.size(), 0);
  for (std::size_t trial = 0; trial < count; ++trial) {
    TrialConfig config = spec.fixed;
    for (std::size_t a = 0; a < axes.size(); ++a) {
      config.set(axes[a].key, axes[a].values[position[a]]);
    }
    // Turned here, before the checks below, because a duplicate trial skips the rest.
    for (std::size_t a = axes.size(); a-- > 0;) {
      if (++position[a] < axes[a].values.size()) break;
      position[a] = 0;
    }
    if (const ParamDef* missing = apply_scopes(config)) {
      const auto& scope_key = missing->scope->key;
      throw SweepError(locate_value(spec, scope_key, config.at(scope_key)),
                       scope_key + " " + to_display(config.at(scope_key)) + " needs " +
                           missing->name + " (" + missing->describe_allowed() + ": " +
                           missing->help + "); give it at top level or " +
                           (spec.grids.size() > 1 ? "in this trial's grid" : "under grid:"));
    }
    apply_size_preset(config);
    if (const ParamDef* missing = apply_derived_defaults(config)) {
      // Only width derives today: an arch other than gpt2 has no default for it.
      throw SweepError(locate_value(spec, "arch", config.at("arch")),
                       "missing required key " + missing->name + " (" +
                           missing->describe_allowed() + ") for arch " + config.text("arch") +
                           ": " + missing->help + "; give it at top level or " +
                           (spec.grids.size() > 1 ? "in this trial's grid" : "under grid:"));
    }
    // A key the trial does not use takes its default: p_k of standard x 3 p_k values is one
    // trial. The id it had before keys were folded is kept, to find it in older databases.
    const TrialConfig given = config;
    const bool folded = fold_ignored_keys(config);
    if (auto violation = find_cross_key_violation(config)) {
      throw SweepError(locate_value(spec, violation->key, config.at(violation->key)),
                       violation->message);
    }
    std::string id = trial_id(config);
    std::string earlier_id = folded ? trial_id(given) : std::string();
    auto [seen, is_new] = index_of_id.emplace(id, trials.size());
    if (!is_new) {
      // An axis of a scoped or an ignored key repeats the trials it does not apply to, and two
      // grids may give the same trial: they are one trial. After scoping and folding every
      // config is complete, so equal ids of unequal configs are a bug.
      TrialSpec& first = trials[seen->second];
      if (first.config != config) {
        throw std::logic_error("two trials of sweep '" + spec.name + "' share the id " + id);
      }
      auto& earlier = first.earlier_ids;
      if (!earlier_id.empty() &&
          std::find(earlier.begin(), earlier.end(), earlier_id) == earlier.end()) {
        earlier.push_back(std::move(earlier_id));
      }
      continue;
    }
    TrialSpec added{std::move(id), std::move(config)};
    if (!earlier_id.empty()) added.earlier_ids.push_back(std::move(earlier_id));
    trials.push_back(std::move(added));
  }
}

}  // namespace

std::size_t grid_point_count(const SweepSpec& spec) {
  if (spec.grids.empty()) return 1;
  return checked_trial_count(spec.grids);
}

std::vector<TrialSpec> expand_trials(const SweepSpec& spec) {
  std::vector<Grid> grids = spec.grids;
  // No grid: the one trial of the top-level keys, as a grid without axes.
  if (grids.empty()) grids.push_back({.axes = {}, .mark = SourceMark{.file = spec.source_path}});
  for (Grid& grid : grids) order_axes_for_expansion(grid.axes);
  std::size_t count = checked_trial_count(grids);

  std::vector<TrialSpec> trials;
  trials.reserve(count);
  std::unordered_map<std::string, std::size_t> index_of_id;
  for (const Grid& grid : grids) expand_grid(spec, grid.axes, trials, index_of_id);
  return trials;
}

}  // namespace comet::sweeps
