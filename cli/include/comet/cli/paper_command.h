#pragma once
// `comet paper list | FIG`: the figures of the COMET paper that comet regenerates, one command
// each (docs/commands/paper.md). A figure is a row of a table (paper_figures()): its sweep file
// per scale and how it is drawn (a `comet plot` kind and its flags, or a `comet analyze` call),
// so a new figure (the language figures' sweeps) is one more row.

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "comet/cli/table_printer.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::cli {

// How a figure is drawn from its trials (or computed, for the section 4.1 analyses).
enum class FigureKind { grid, bars, routing, utilization };

// One drawing of a figure: `comet plot bars` with these flags, written as fig<N><suffix>.<ext>.
struct FigurePanel {
  std::string suffix;               // "" or "_vit"
  std::string metric;               // "": the sweep's default (val_acc; val_loss for regression)
  std::vector<std::string> where;   // key=value
  std::string by = "model", group;  // bars only
};

struct PaperFigure {
  std::string figure;  // "4", "5", ...
  std::string what;    // one line: the experiment
  std::string claim;   // the paper's claim in one line
  FigureKind kind = FigureKind::grid;
  // Paths relative to the repository root; "" where the scale has none. The cpu sweep is a
  // documented reduced variant (its header) that keeps the figure's shape.
  std::string full_sweep, cpu_sweep;
  std::vector<FigurePanel> panels = {FigurePanel{}};
};

// Where sweeps/paper/ is: `repo` when given; else the current directory, the folder above the
// comet binary (build/comet in a checkout) or the one above that, the first that holds it; "."
// when none does (the commands then say the sweep file is missing).
std::filesystem::path paper_root(const std::filesystem::path& repo);

// The figures comet can regenerate, in the paper's order.
const std::vector<PaperFigure>& paper_figures();
// The figure named `figure` ("4", "fig4"); throws UsageError listing the figures otherwise.
const PaperFigure& find_paper_figure(const std::vector<PaperFigure>& figures,
                                     const std::string& figure);

struct PaperListParams {
  std::filesystem::path db = "comet.db";  // read for stored epoch times, if it exists
  std::filesystem::path repo;             // where sweeps/paper/ is; empty: paper_root's search
  std::string scale = "cpu";              // cpu or full
  int jobs_per_device = 1;                // the estimate divides the work among these workers
  OutputFormat format = OutputFormat::table;
};
// One row per figure: figure, scale, sweep file, trials, trials still to run, and the estimated
// wall time on this machine from the epoch seconds the database stores for trials of the same
// shape (docs/commands/paper.md, "Estimates"); "unknown" where it has none.
int paper_list_command(const PaperListParams& params, std::ostream& out,
                       const std::vector<PaperFigure>& figures = paper_figures());

struct PaperFigureParams {
  std::string figure;
  std::string scale = "cpu";
  std::filesystem::path db = "comet.db";
  std::filesystem::path repo;                    // empty: paper_root's search
  std::filesystem::path out_dir = "figures";     // fig<N>.pdf, .png and .svg go here
  std::vector<sweeps::SweepOverride> overrides;  // key=value, as for comet run
  std::string devices = "auto";
  int jobs_per_device = 1;
  std::filesystem::path data_root;
  std::filesystem::path worker_executable;  // empty: this process's executable
  int interrupt_fd = -1;
  std::string gnuplot = "gnuplot";
};
// Runs the figure's sweep (resumable: comet run's function, in-process; trials done are
// skipped) or its analysis, then draws the figure in the paper's layout as pdf, png and svg.
// Returns run_command's exit code (130 after an interrupt: nothing is drawn).
int paper_figure_command(const PaperFigureParams& params, std::ostream& out, std::ostream& err,
                         const std::vector<PaperFigure>& figures = paper_figures());

struct PaperReportParams {
  std::filesystem::path db = "comet.db";
  std::filesystem::path repo;                   // empty: paper_root's search
  std::string scale = "cpu";                    // which sweep of each figure is read
  std::optional<std::filesystem::path> output;  // the Markdown file; none: stdout
};
// Markdown: per figure the paper's claim, what the database measured (COMET's lead over standard
// per size, per activation, or the analysis' summary) and agrees / disagrees / not run.
int paper_report_command(const PaperReportParams& params, std::ostream& out,
                         const std::vector<PaperFigure>& figures = paper_figures());

}  // namespace comet::cli
