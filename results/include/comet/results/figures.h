#pragma once
// Figures of a sweep's learning curves, drawn by gnuplot (docs/figures.md). Each figure is built
// as a GnuplotJob (a script and its data files, from the store's public API only) and then
// rendered: written to a temporary folder beside the output, run through `gnuplot`, and moved
// into place only when gnuplot succeeded.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "comet/results/result_store.h"

namespace comet::results {

// The request cannot be drawn: unknown output extension, metric, sweep key, an empty selection,
// a metric the trials never recorded (CLI exit 2).
class FigureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// gnuplot could not be started or failed; the message names the command and its stderr.
class GnuplotError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A curve's name on the command line and in the store: "val_acc" is (split "val", name "acc").
struct MetricKey {
  std::string split;
  std::string name;
};
// val_acc, val_loss, train_acc, train_loss; throws FigureError naming the allowed ones.
MetricKey parse_metric(std::string_view metric);

enum class FigureFormat { pdf, png, svg };
// From the output's extension (.pdf, .png, .svg; any case); throws FigureError otherwise.
FigureFormat figure_format_of(const std::filesystem::path& output);

// A gnuplot string literal showing `text` as written: double-quoted with \ " and newlines
// escaped (terminals are set noenhanced, so _ ^ { } @ are not markup either).
std::string gnuplot_string(std::string_view text);

// A script without its terminal and output lines (render_figure adds them for the format).
struct GnuplotJob {
  std::string script = {};
  std::vector<std::pair<std::string, std::string>> data_files = {};  // file name, contents
  double width_inches = 6;
  double height_inches = 4;
};

struct RenderOptions {
  std::filesystem::path output;                     // .pdf, .png or .svg; its folder must exist
  std::optional<std::filesystem::path> script_dir;  // keep figure.gp and the .dat files here
  std::string gnuplot = "gnuplot";                  // the program, looked up in PATH
};
// Writes figure.gp and the data files into a temporary folder beside the output, runs gnuplot
// there (argument vector, no shell) and renames the figure onto `output`. Throws FigureError
// for a bad output path and GnuplotError when gnuplot cannot run or fails; nothing is left
// at `output` or in `script_dir` then.
void render_figure(const GnuplotJob& job, const RenderOptions& options);

// A filter on a trial's config, compared as displayed text (sweeps::to_display).
struct ConfigFilter {
  std::string key;
  std::string value;
};

// Fig. 4 of the paper: one panel per (row value, column value), one colour per `by` value, the
// min..max band over the remaining trials (seeds) and its midpoint per epoch.
struct GridFigureRequest {
  std::string sweep;
  std::string metric = "val_acc";
  std::string rows = "p_k";
  std::string cols = "width";
  std::string by = "model";
};
GnuplotJob grid_figure(const ResultStore& store, const GridFigureRequest& request);

// The numbers grid_figure draws, without gnuplot (`comet serve` sends them to the browser).
// Values are displayed text (sweeps::to_display, "(unset)" for a key a trial lacks).
struct BandPoint {
  int epoch = 0;
  double min = 0, max = 0, mid = 0;  // over the members' finite values; mid = (min + max) / 2
  int trials = 0;                    // members with a finite value at this epoch
};
struct SeriesBand {
  std::size_t series = 0;         // index into GridBands::series
  int trials = 0;                 // members (seeds) of the band
  std::vector<BandPoint> points;  // epochs where no member has a finite value are left out
};
struct GridCell {
  std::size_t row = 0, col = 0;   // indices into GridBands::row_values / col_values
  std::vector<SeriesBand> bands;  // empty: no trial reached this cell
};
struct GridBands {
  std::vector<std::string> row_values, col_values, series;
  std::vector<GridCell> cells;  // every (row, col), rows first
  int last_epoch = 1;
};
// Throws FigureError as grid_figure does.
GridBands grid_bands(const ResultStore& store, const GridFigureRequest& request);

// One line per selected trial, labelled with the values of the keys that vary in the sweep.
struct CurvesFigureRequest {
  std::string sweep;
  std::string metric = "val_acc";
  std::vector<ConfigFilter> where = {};
  // The x axis: epoch (a record: an epoch, or an evaluation of step-based training), step
  // (optimizer steps, as Figs. 9-10) or tokens (tokens seen); step and tokens read the records'
  // epoch/step and epoch/tokens metrics, which step-based training stores.
  std::string x = "epoch";
  bool log_y = false;  // a logarithmic y axis (perplexities early in training)
};
GnuplotJob curves_figure(const ResultStore& store, const CurvesFigureRequest& request);

// Figs. 5-10 of the paper: one bar per `by` value, the mean over its trials of each trial's
// best (max accuracy, min loss) or final value, with a min..max error bar.
enum class BarAggregate { best, final };
struct BarsFigureRequest {
  std::string sweep;
  std::string metric = "val_acc";
  BarAggregate aggregate = BarAggregate::best;
  std::string by = "model";
  std::vector<ConfigFilter> where = {};
  // Set: the bars are clustered by this key's values (Figs. 5-8: one cluster per model size,
  // e.g. `width`), a bar per `by` value in each, coloured by `by` with a key; "": one row of bars.
  std::string group = "";
};
GnuplotJob bars_figure(const ResultStore& store, const BarsFigureRequest& request);

}  // namespace comet::results
