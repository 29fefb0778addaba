// `comet plot bars`: the style of the paper's Figs. 5-10. One bar per `by` value (model): the
// mean over its trials (seeds) of each trial's best or final value of the metric, an error bar
// from the smallest to the largest of those values, and the trainable parameter count under
// the name.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "figure_data.h"

namespace comet::results {
namespace {

using figure_data::TrialCurve;

// Best is the largest accuracy but the smallest loss. Non-finite values (a diverged epoch) are
// skipped; nullopt when none is finite.
std::optional<double> aggregate_of(const TrialCurve& curve, BarAggregate aggregate,
                                   bool larger_is_better) {
  if (aggregate == BarAggregate::final) {
    const double last = curve.points.back().second;
    return std::isfinite(last) ? std::optional<double>(last) : std::nullopt;
  }
  std::optional<double> best;
  for (const auto& point : curve.points) {
    const double value = point.second;
    if (!std::isfinite(value)) continue;
    if (!best || (larger_is_better ? value > *best : value < *best)) best = value;
  }
  return best;
}

// 1234567 -> "1,234,567". Built front to back (GCC 12 at -O3 warns falsely on string::insert).
std::string grouped(std::int64_t count) {
  const std::string digits = std::to_string(count);
  const std::size_t first = count < 0 ? 1 : 0;  // a minus sign is not a digit
  std::string text = digits.substr(0, first);
  for (std::size_t i = first; i < digits.size(); ++i) {
    if (i > first && (digits.size() - i) % 3 == 0) text += ',';
    text += digits[i];
  }
  return text;
}

// "(12,345 params)"; a range when the trials differ (e.g. several widths); "" when unknown.
std::string parameter_text(const std::vector<const TrialCurve*>& members) {
  std::optional<std::int64_t> low, high;
  for (const auto* curve : members) {
    if (!curve->trial.trainable_parameters) continue;
    const auto count = *curve->trial.trainable_parameters;
    low = low ? std::min(*low, count) : count;
    high = high ? std::max(*high, count) : count;
  }
  if (!low) return "";
  if (*low == *high) return "\n(" + grouped(*low) + " params)";
  return "\n(" + grouped(*low) + "-" + grouped(*high) + " params)";
}

}  // namespace

GnuplotJob bars_figure(const ResultStore& store, const BarsFigureRequest& request) {
  const auto curves = figure_data::load_curves(store, request.sweep, request.metric, request.where);
  const auto bars = figure_data::distinct_values(curves, request.by, request.sweep);
  // Without a group key, every bar is in the one cluster that `nullopt` matches below.
  const std::vector<std::optional<sweeps::ParamValue>> clusters =
      request.group.empty() ? std::vector<std::optional<sweeps::ParamValue>>{std::nullopt}
                            : figure_data::distinct_values(curves, request.group, request.sweep);
  const bool grouped = !request.group.empty();
  const bool larger_is_better = parse_metric(request.metric).name == "acc";
  const std::string aggregate_name = request.aggregate == BarAggregate::best ? "best" : "final";

  GnuplotJob job;
  const auto slots = clusters.size() * (bars.size() + (grouped ? 1 : 0));
  job.width_inches = std::max(5.5, 1.3 * static_cast<double>(slots) + 1.5);
  job.height_inches = 4;
  std::string data =
      fmt::format("# {} {} per trial, over the trials of each {}{}\n", aggregate_name,
                  request.metric, request.by, grouped ? " within each " + request.group : "");
  data += "# x mean min max std trials colour\n";
  std::string tics;
  bool all_non_negative = true;
  std::size_t x = 0;
  for (const auto& cluster : clusters) {
    for (std::size_t g = 0; g < bars.size(); ++g) {
      std::vector<const TrialCurve*> members;
      std::vector<double> values;
      for (const auto& curve : curves) {
        if (figure_data::value_of(curve.trial, request.by) != bars[g]) continue;
        if (grouped && figure_data::value_of(curve.trial, request.group) != cluster) continue;
        members.push_back(&curve);
        if (auto value = aggregate_of(curve, request.aggregate, larger_is_better)) {
          values.push_back(*value);
        }
      }
      ++x;
      if (members.empty()) continue;  // this cluster has no trial of this bar's value
      double mean = NAN, low = NAN, high = NAN, spread = NAN;
      if (!values.empty()) {
        const double n = static_cast<double>(values.size());
        mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
        low = *std::min_element(values.begin(), values.end());
        all_non_negative = all_non_negative && low >= 0;
        high = *std::max_element(values.begin(), values.end());
        double squares = 0;
        for (const double v : values) squares += (v - mean) * (v - mean);
        spread = values.size() > 1 ? std::sqrt(squares / (n - 1)) : 0.0;  // sample std
      }
      // gnuplot's `lc rgb variable` reads the colour as the integer 0xRRGGBB.
      const auto colour =
          std::stol(std::string(figure_data::series_color(g).substr(1)), nullptr, 16);
      data += fmt::format("{} {} {} {} {} {} {}\n", x, figure_data::number_text(mean),
                          figure_data::number_text(low), figure_data::number_text(high),
                          figure_data::number_text(spread), values.size(), colour);
      const std::string label = grouped ? request.group + " " + figure_data::display_of(cluster) +
                                              "\n" + figure_data::display_of(bars[g])
                                        : figure_data::display_of(bars[g]);
      tics += fmt::format("{}{} {}", tics.empty() ? "" : ", ",
                          gnuplot_string(label + parameter_text(members)), x);
    }
    if (grouped) ++x;  // a gap between clusters
  }
  job.data_files.emplace_back("bars.dat", std::move(data));

  std::string title = fmt::format("{}: {} {}", request.sweep, aggregate_name, request.metric);
  for (const auto& filter : request.where) title += ", " + filter.key + "=" + filter.value;
  title += "\n(mean over trials; error bar: min..max)";
  std::string& gp = job.script;
  gp += "set title " + gnuplot_string(title) + "\n";
  gp += "set ylabel " + gnuplot_string(aggregate_name + " " + request.metric) + "\n";
  gp += "set grid ytics lc rgb \"#dddddd\"\nunset key\n";
  gp += fmt::format("set bmargin {}\n", grouped ? 7 : 5);
  gp += "set style fill solid 0.7 border rgb \"#333333\"\nset boxwidth 0.6\n";
  gp += fmt::format("set xrange [0.4:{}.6]\n", grouped ? x - 1 : x);
  // Bars start at zero (a cut axis would exaggerate differences) unless a value is negative.
  if (all_non_negative) gp += "set yrange [0:*]\n";
  gp += "set xtics nomirror scale 0 (" + tics + ")\n";
  gp +=
      "plot \"bars.dat\" using 1:2:7 with boxes lc rgb variable, \\\n"
      "     \"bars.dat\" using 1:2:3:4 with yerrorbars lc rgb \"black\" pt 7 ps 0.5 lw 1.5\n";
  return job;
}

}  // namespace comet::results
