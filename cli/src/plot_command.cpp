// comet plot grid | curves | bars: validate the request, build the figure from the store
// (read-only, so it works beside a running sweep), render it with gnuplot.

#include "comet/cli/plot_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <ostream>

#include "comet/cli/exit_codes.h"
#include "comet/cli/usage_error.h"
#include "comet/results/comparison.h"
#include "comet/results/figures.h"
#include "comet/results/result_store.h"

namespace comet::cli {
namespace {

// "key=value" -> filter; the value may itself contain '=' (split at the first one).
std::vector<results::ConfigFilter> parse_where(const std::vector<std::string>& where) {
  std::vector<results::ConfigFilter> filters;
  for (const auto& text : where) {
    const auto equals = text.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw UsageError(
          fmt::format("--where '{}' is not key=value (e.g. --where model=comet)", text));
    }
    filters.push_back(results::ConfigFilter{text.substr(0, equals), text.substr(equals + 1)});
  }
  return filters;
}

// Checks what can be checked before the database is opened, builds the job, draws it. A
// FigureError is the user's input (exit 2); GnuplotError and StoreError pass through (exit 3).
// `build` gets the metric: the one asked for, or the sweep's default (val_loss for regression).
int draw(const PlotOutputParams& common, std::ostream& out,
         const std::function<results::GnuplotJob(const results::ResultStore&,
                                                 const std::string& metric)>& build) {
  const auto started = std::chrono::steady_clock::now();
  try {
    results::figure_format_of(common.output);
    if (!common.metric.empty()) results::parse_metric(common.metric);
    if (common.sweep.empty()) throw results::FigureError("no sweep given");
    const auto store = results::ResultStore::open_read_only(common.db);
    const auto sweeps = store.sweep_names();
    if (std::find(sweeps.begin(), sweeps.end(), common.sweep) == sweeps.end()) {
      throw results::FigureError(fmt::format("no sweep '{}' in the database; known sweeps: {}",
                                             common.sweep, fmt::join(sweeps, ", ")));
    }
    const std::string metric = common.metric.empty()
                                   ? results::default_metric(store.list_trials(common.sweep))
                                   : common.metric;
    const auto job = build(store, metric);
    results::render_figure(
        job, results::RenderOptions{common.output, common.script_dir, common.gnuplot});
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    out << fmt::format("wrote {} ({} data file{}{}) in {:.2f}s\n", common.output.string(),
                       job.data_files.size(), job.data_files.size() == 1 ? "" : "s",
                       common.script_dir ? "; script in " + common.script_dir->string() : "",
                       took.count());
  } catch (const results::FigureError& e) {
    throw UsageError(e.what());
  }
  return kExitOk;
}

}  // namespace

int plot_grid_command(const PlotGridParams& params, std::ostream& out) {
  return draw(params.common, out,
              [&](const results::ResultStore& store, const std::string& metric) {
                return results::grid_figure(
                    store, results::GridFigureRequest{params.common.sweep, metric, params.rows,
                                                      params.cols, params.by});
              });
}

int plot_curves_command(const PlotCurvesParams& params, std::ostream& out) {
  const auto filters = parse_where(params.where);
  return draw(params.common, out,
              [&](const results::ResultStore& store, const std::string& metric) {
                return results::curves_figure(
                    store, results::CurvesFigureRequest{params.common.sweep, metric, filters,
                                                        params.x, params.log_y});
              });
}

int plot_bars_command(const PlotBarsParams& params, std::ostream& out) {
  if (params.aggregate != "best" && params.aggregate != "final") {
    throw UsageError(
        fmt::format("--agg '{}' is not allowed; allowed: best, final", params.aggregate));
  }
  const auto filters = parse_where(params.where);
  const auto aggregate =
      params.aggregate == "best" ? results::BarAggregate::best : results::BarAggregate::final;
  return draw(params.common, out,
              [&](const results::ResultStore& store, const std::string& metric) {
                return results::bars_figure(
                    store, results::BarsFigureRequest{params.common.sweep, metric, aggregate,
                                                      params.by, filters, params.group});
              });
}

}  // namespace comet::cli
