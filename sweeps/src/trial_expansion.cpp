// expand_trials: the cartesian product of a sweep's grid, scoped keys applied, cross-key
// checks, one trial per id.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "axis_order.h"
#include "cross_key_rules.h"
#include "param_scope.h"
#include "value_location.h"

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

// Far beyond any sweep a person means to run; a typo such as a 1000-value axis is caught here
// instead of writing a huge plan.
constexpr std::size_t kMaxTrials = 100000;

std::size_t checked_trial_count(const std::vector<Grid>& grids) {
  std::size_t total = 0;
  std::string counts;  // "48 + 16", for the message when the grids together are too many
  for (const Grid& grid : grids) {
    std::size_t count = 1;
    const GridAxis* crossing_axis = nullptr;  // the axis that took the count over the limit
    std::string product;
    for (const GridAxis& axis : grid.axes) {
      product +=
          (product.empty() ? "" : " x ") + std::to_string(axis.values.size()) + " " + axis.key;
      // Saturate instead of multiplying on: several large axes could overflow size_t.
      count = count > kMaxTrials ? count : count * axis.values.size();
      if (count > kMaxTrials && crossing_axis == nullptr) crossing_axis = &axis;
    }
    if (crossing_axis != nullptr) {
      throw SweepError(crossing_axis->mark, "the grid has more than " + std::to_string(kMaxTrials) +
                                                " trials (" + product +
                                                "); split the sweep or shorten an axis");
    }
    total += count;  // each count <= kMaxTrials: no overflow
    counts += (counts.empty() ? "" : " + ") + std::to_string(count);
    if (total > kMaxTrials) {
      throw SweepError(grid.mark, "the grids have more than " + std::to_string(kMaxTrials) +
                                      " trials together (" + counts +
                                      " up to this grid); split the sweep or shorten an axis");
    }
  }
  return total;
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
    if (auto violation = find_cross_key_violation(config)) {
      throw SweepError(locate_value(spec, violation->key, config.at(violation->key)),
                       violation->message);
    }
    std::string id = trial_id(config);
    auto [seen, is_new] = index_of_id.emplace(id, trials.size());
    if (!is_new) {
      // An axis of a scoped key repeats the trials it does not apply to, and two grids may
      // give the same trial: they are one trial. After scoping every config is complete, so
      // equal ids of unequal configs are a bug.
      if (trials[seen->second].config == config) continue;
      throw std::logic_error("two trials of sweep '" + spec.name + "' share the id " + id);
    }
    trials.push_back({std::move(id), std::move(config)});
  }
}

}  // namespace

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
