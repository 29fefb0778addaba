// `comet plot curves`: one line per selected trial, labelled with the values of the keys that
// vary among the selected trials (the sweep's grid axes, less those the filters fixed).

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "figure_data.h"

namespace comet::results {

GnuplotJob curves_figure(const ResultStore& store, const CurvesFigureRequest& request) {
  const auto curves = figure_data::load_curves(store, request.sweep, request.metric, request.where);
  const auto keys = figure_data::varying_keys(curves);
  const int last_epoch = figure_data::last_epoch(curves);
  if (request.x != "epoch" && request.x != "step" && request.x != "tokens") {
    throw FigureError(fmt::format("--x '{}'; allowed: epoch, step, tokens", request.x));
  }
  const bool by_record = request.x == "epoch";
  // Each trial's record -> its step or tokens (step-based training stores them per record).
  std::map<std::string, std::vector<std::pair<int, double>>> x_of;
  if (!by_record) {
    std::vector<std::string> ids;
    for (const auto& curve : curves) ids.push_back(curve.trial.id);
    x_of = store.metric_series_of(ids, "epoch", request.x);
    for (const auto& curve : curves) {
      if (x_of.count(curve.trial.id) == 0) {
        throw FigureError(fmt::format(
            "trial {} has no epoch/{} values: --x {} needs step-based training (arch gpt2); "
            "allowed for it: --x epoch",
            curve.trial.id, request.x, request.x));
      }
    }
  }

  GnuplotJob job;
  // Room for the legend to the right grows with the number of lines.
  job.width_inches = 7.5;
  job.height_inches = std::max(4.0, 0.18 * static_cast<double>(curves.size()) + 1.0);
  std::string& gp = job.script;
  std::string title = request.sweep + ": " + request.metric;
  for (const auto& filter : request.where) title += ", " + filter.key + "=" + filter.value;
  gp += "set title " + gnuplot_string(title) + "\n";
  gp += "set grid lc rgb \"#dddddd\"\nset xlabel " + gnuplot_string(request.x) + "\n";
  gp += "set ylabel " + gnuplot_string(request.metric) + "\n";
  if (request.log_y) gp += "set logscale y\n";
  if (by_record) {
    gp += last_epoch > 1 ? fmt::format("set xrange [1:{}]\n", last_epoch)
                         : std::string("set xrange [0.5:1.5]\n");
    if (last_epoch <= 12) gp += "set xtics 1\n";  // whole epochs only
  } else {
    gp += "set format x \"%.3s%c\"\n";  // 1.5k, 20M: steps and tokens run to millions
  }
  gp += "set key outside right top vertical samplen 2\n";
  const char* const style = last_epoch > 1 ? "linespoints pt 7 ps 0.4 lw 1.5" : "points pt 7";

  gp += "plot ";
  for (std::size_t i = 0; i < curves.size(); ++i) {
    const auto& curve = curves[i];
    std::string label;
    for (const auto& key : keys) {
      label += (label.empty() ? "" : ", ") + key + "=" +
               figure_data::display_of(figure_data::value_of(curve.trial, key));
    }
    if (label.empty()) label = curve.trial.id;  // one trial, or identical configs
    const std::string file = fmt::format("curve_{}.dat", i + 1);
    std::string data = fmt::format("# trial {} ({})\n# {} value\n", curve.trial.id,
                                   curve.trial.config.canonical_json(), request.x);
    std::map<int, double> x_at;
    if (!by_record) {
      for (const auto& [record, x] : x_of.at(curve.trial.id)) x_at[record] = x;
    }
    for (const auto& [epoch, value] : curve.points) {
      if (by_record) {
        data += fmt::format("{} {}\n", epoch, figure_data::number_text(value));
      } else if (auto x = x_at.find(epoch); x != x_at.end()) {
        data += fmt::format("{} {}\n", figure_data::number_text(x->second),
                            figure_data::number_text(value));
      }
    }
    job.data_files.emplace_back(file, std::move(data));
    gp += fmt::format("{} using 1:2 with {} lc rgb \"{}\" title {}", gnuplot_string(file), style,
                      figure_data::series_color(i), gnuplot_string(label));
    gp += i + 1 < curves.size() ? ", \\\n     " : "\n";
  }
  return job;
}

}  // namespace comet::results
