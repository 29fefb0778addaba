// `comet plot grid`: the layout of the paper's Fig. 4. One panel per (row value, column value),
// one colour per `by` value; each series is the min..max band over the trials that differ only
// in the remaining keys (the seeds) and its midpoint (min + max) / 2, per epoch.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "figure_data.h"

namespace comet::results {
namespace {

using figure_data::TrialCurve;
using Value = std::optional<sweeps::ParamValue>;

// Panel geometry in inches: the paper's panels are small multiples read side by side.
// The gaps hold the tic labels and axis labels (left, below) and the panel titles (above).
constexpr double kPanelWidth = 3.0, kPanelHeight = 2.2;
constexpr double kLeft = 0.8, kRight = 0.3, kTop = 0.7, kBottom = 0.9;
constexpr double kColumnGap = 0.8, kRowGap = 0.85;

// The min..max band over the members' finite values per epoch; epochs where no member has a
// finite value are left out (a diverged seed does not hide the others).
std::vector<BandPoint> band_points(const std::vector<const TrialCurve*>& members) {
  std::map<int, std::vector<double>> by_epoch;
  for (const auto* curve : members) {
    for (const auto& [epoch, value] : curve->points) {
      if (std::isfinite(value)) by_epoch[epoch].push_back(value);
    }
  }
  std::vector<BandPoint> points;
  for (const auto& [epoch, values] : by_epoch) {
    const auto [low, high] = std::minmax_element(values.begin(), values.end());
    points.push_back({epoch, *low, *high, (*low + *high) / 2, static_cast<int>(values.size())});
  }
  return points;
}

// "# model=comet p_k=0.1 width=100: 2 trials" then "epoch min max mid trials" rows.
std::string band_data(const SeriesBand& band, const std::string& header) {
  std::string text =
      fmt::format("# {}: {} trials\n# epoch min max mid trials\n", header, band.trials);
  for (const auto& p : band.points) {
    text += fmt::format("{} {} {} {} {}\n", p.epoch, figure_data::number_text(p.min),
                        figure_data::number_text(p.max), figure_data::number_text(p.mid), p.trials);
  }
  return text;
}

std::string key_is(const std::string& key, const std::string& value) { return key + "=" + value; }

// A series that does not vary a panel axis while others do (`standard` has no p_k of its own:
// a sweep with several grids gives it p_k's default 1.0 only) is drawn in every row (column)
// of that axis, as the paper's Fig. 4 draws it in every panel. The axis keeps the values the
// varying series use; `spans[s]` says whether series s is drawn whatever the panel's value.
struct AxisLayout {
  std::vector<Value> values;
  std::vector<bool> spans;
};

AxisLayout layout_axis(const std::vector<TrialCurve>& curves, const std::string& key,
                       const std::string& by, const std::vector<Value>& all_values,
                       const std::vector<Value>& series) {
  std::vector<std::set<Value>> used(series.size());
  for (const auto& curve : curves) {
    const auto s = std::find(series.begin(), series.end(), figure_data::value_of(curve.trial, by)) -
                   series.begin();
    used[static_cast<std::size_t>(s)].insert(figure_data::value_of(curve.trial, key));
  }
  std::set<Value> varied;
  for (const auto& values : used) {
    if (values.size() > 1) varied.insert(values.begin(), values.end());
  }
  AxisLayout layout{all_values, std::vector<bool>(series.size(), false)};
  if (varied.empty()) return layout;  // no series varies it: one panel per value, as given
  for (std::size_t s = 0; s < series.size(); ++s) {
    layout.spans[s] = used[s].size() == 1 && varied.count(*used[s].begin()) == 0;
  }
  layout.values.assign(varied.begin(), varied.end());
  return layout;
}

}  // namespace

GridBands grid_bands(const ResultStore& store, const GridFigureRequest& request) {
  const auto curves = figure_data::load_curves(store, request.sweep, request.metric, {});
  const auto series = figure_data::distinct_values(curves, request.by, request.sweep);
  const auto row_layout =
      layout_axis(curves, request.rows, request.by,
                  figure_data::distinct_values(curves, request.rows, request.sweep), series);
  const auto col_layout =
      layout_axis(curves, request.cols, request.by,
                  figure_data::distinct_values(curves, request.cols, request.sweep), series);
  const auto& rows = row_layout.values;
  const auto& cols = col_layout.values;

  GridBands grid;
  grid.last_epoch = figure_data::last_epoch(curves);
  for (const auto& v : rows) grid.row_values.push_back(figure_data::display_of(v));
  for (const auto& v : cols) grid.col_values.push_back(figure_data::display_of(v));
  for (const auto& v : series) grid.series.push_back(figure_data::display_of(v));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < cols.size(); ++c) {
      GridCell cell{r, c, {}};
      for (std::size_t s = 0; s < series.size(); ++s) {
        std::vector<const TrialCurve*> members;
        for (const auto& curve : curves) {
          if ((row_layout.spans[s] ||
               figure_data::value_of(curve.trial, request.rows) == rows[r]) &&
              (col_layout.spans[s] ||
               figure_data::value_of(curve.trial, request.cols) == cols[c]) &&
              figure_data::value_of(curve.trial, request.by) == series[s]) {
            members.push_back(&curve);
          }
        }
        if (members.empty()) continue;
        cell.bands.push_back({s, static_cast<int>(members.size()), band_points(members)});
      }
      grid.cells.push_back(std::move(cell));
    }
  }
  return grid;
}

GnuplotJob grid_figure(const ResultStore& store, const GridFigureRequest& request) {
  const GridBands grid = grid_bands(store, request);
  const auto& rows = grid.row_values;
  const auto& cols = grid.col_values;
  const int last_epoch = grid.last_epoch;

  GnuplotJob job;
  const auto n_rows = static_cast<double>(rows.size()), n_cols = static_cast<double>(cols.size());
  job.width_inches = kLeft + kRight + n_cols * kPanelWidth + (n_cols - 1) * kColumnGap;
  job.height_inches = kTop + kBottom + n_rows * kPanelHeight + (n_rows - 1) * kRowGap;
  const double w = job.width_inches, h = job.height_inches;
  std::string& gp = job.script;
  gp += fmt::format(
      "set multiplot layout {},{} rowsfirst title {} margins {:.4f},{:.4f},{:.4f},{:.4f} "
      "spacing {:.4f},{:.4f}\n",
      rows.size(), cols.size(),
      gnuplot_string(fmt::format("{}: {} (line: midpoint, band: min..max over the other keys)",
                                 request.sweep, request.metric)),
      kLeft / w, 1 - kRight / w, kBottom / h, 1 - kTop / h, kColumnGap / w, kRowGap / h);
  gp += "set grid lc rgb \"#dddddd\"\nset xlabel \"epoch\"\n";
  gp += "set ylabel " + gnuplot_string(request.metric) + "\n";
  gp += last_epoch > 1 ? fmt::format("set xrange [1:{}]\n", last_epoch)
                       : std::string("set xrange [0.5:1.5]\n");
  if (last_epoch <= 12) gp += "set xtics 1\n";  // whole epochs only
  // One shared legend along the bottom, drawn by the first panel that has data.
  const std::string key_line =
      "set key at screen 0.5, screen 0.02 center bottom horizontal maxrows 1 samplen 2 "
      "width 2\n";
  const char* const line_style = last_epoch > 1 ? "lines lw 2" : "points pt 7 ps 1";

  bool legend_drawn = false;
  for (const auto& cell : grid.cells) {
    const std::size_t r = cell.row, c = cell.col;
    std::vector<std::string> plots;
    for (const auto& band : cell.bands) {
      const std::size_t s = band.series;
      const std::string file = fmt::format("grid_r{}_c{}_s{}.dat", r + 1, c + 1, s + 1);
      job.data_files.emplace_back(file, band_data(band, key_is(request.by, grid.series[s]) + " " +
                                                            key_is(request.rows, rows[r]) + " " +
                                                            key_is(request.cols, cols[c])));
      const auto color = figure_data::series_color(s);
      plots.push_back(fmt::format(
          "{} using 1:2:3 with filledcurves fc rgb \"{}\" fs transparent solid 0.2 noborder "
          "notitle",
          gnuplot_string(file), color));
      plots.push_back(fmt::format("{} using 1:4 with {} lc rgb \"{}\" notitle",
                                  gnuplot_string(file), line_style, color));
    }
    if (plots.empty()) {
      gp += "set multiplot next\n";  // a cell no trial reached: left blank
      continue;
    }
    gp += "set title " +
          gnuplot_string(key_is(request.rows, rows[r]) + ", " + key_is(request.cols, cols[c])) +
          "\n";
    if (!legend_drawn) {
      gp += key_line;
      // Entries for every series, including those missing from this panel.
      for (std::size_t s = 0; s < grid.series.size(); ++s) {
        plots.push_back(fmt::format("NaN with {} lc rgb \"{}\" title {}", line_style,
                                    figure_data::series_color(s), gnuplot_string(grid.series[s])));
      }
      legend_drawn = true;
    } else {
      gp += "unset key\n";
    }
    gp += "plot ";
    for (std::size_t i = 0; i < plots.size(); ++i) {
      gp += plots[i] + (i + 1 < plots.size() ? ", \\\n     " : "\n");
    }
  }
  gp += "unset multiplot\n";
  return job;
}

}  // namespace comet::results
