#pragma once
// `comet plot grid | curves | bars`: figures of a sweep's learning curves drawn by gnuplot
// (docs/figures.md). Each is a function over its params, like the commands in commands.h.
// Bad input (extension, metric, sweep, key, an empty selection) is a UsageError (exit 2); a
// missing database a StoreError (exit 3); gnuplot missing or failing a results::GnuplotError
// (exit 3, naming the command and gnuplot's stderr). Nothing is written on any of them.

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace comet::cli {

// What every figure has: where the data is, which sweep, where the figure goes.
struct PlotOutputParams {
  std::filesystem::path db = "comet.db";
  std::string sweep;
  std::filesystem::path output;  // .pdf, .png or .svg
  // "": results::default_metric of the sweep's trials (val_acc; val_loss for regression).
  std::string metric;
  std::optional<std::filesystem::path> script_dir;  // keep figure.gp and its data files here
  std::string gnuplot = "gnuplot";                  // the program (tests point it elsewhere)
};

struct PlotGridParams {
  PlotOutputParams common;
  std::string rows = "p_k";
  std::string cols = "width";
  std::string by = "model";
};
int plot_grid_command(const PlotGridParams& params, std::ostream& out);

struct PlotCurvesParams {
  PlotOutputParams common;
  std::vector<std::string> where;  // key=value, compared with the value as displayed
  std::string x = "epoch";         // epoch | step | tokens (step-based training)
  bool log_y = false;
};
int plot_curves_command(const PlotCurvesParams& params, std::ostream& out);

struct PlotBarsParams {
  PlotOutputParams common;
  std::string aggregate = "best";  // best (max accuracy, min loss over epochs) or final
  std::string by = "model";
  std::vector<std::string> where;
  std::string group;  // "": one row of bars; a key: clusters by its values (e.g. width)
};
int plot_bars_command(const PlotBarsParams& params, std::ostream& out);

}  // namespace comet::cli
