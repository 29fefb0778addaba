// comet paper list | FIG: each figure's sweep run in-process by comet run's function (resumable),
// then drawn by comet plot's (or computed by comet analyze's) in the paper's layout.

#include "comet/cli/paper_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <ostream>

#include "comet/cli/analyze_command.h"
#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/cli/plot_command.h"
#include "comet/cli/usage_error.h"
#include "comet/results/result_store.h"
#include "comet/sweeps/param_value.h"

namespace comet::cli {
namespace {

const std::string& sweep_of(const PaperFigure& figure, const std::string& scale) {
  if (scale != "cpu" && scale != "full") {
    throw UsageError(fmt::format("--scale '{}'; allowed: cpu, full", scale));
  }
  return scale == "cpu" ? figure.cpu_sweep : figure.full_sweep;
}

// The keys that decide how long an epoch takes: the config without the seeds, the learning rate
// schedule and the epoch count (a trial of another seed or length costs the same per epoch).
std::string shape_of(sweeps::TrialConfig config) {
  for (const char* key : {"seed", "split_seed", "epochs", "lr", "weight_decay", "schedule",
                          "warmup_steps", "eval_test"}) {
    config.erase(key);
  }
  return config.canonical_json();
}

// A coarser shape for trials whose exact shape was never run: the keys that size the work most.
std::string coarse_shape_of(const sweeps::TrialConfig& config) {
  std::string key;
  for (const char* name :
       {"dataset", "arch", "model", "width", "depth", "dim", "batch_size", "train_limit", "task"}) {
    if (config.has(name))
      key += std::string(name) + "=" + sweeps::to_display(config.at(name)) + ";";
  }
  return key;
}

// Median stored seconds per epoch of every trial shape in the database, and its done trials.
struct StoredTimes {
  std::map<std::string, double> seconds_by_shape;
  std::map<std::string, int> epochs_by_id;  // epochs stored per trial id
};

StoredTimes stored_times(const std::filesystem::path& db) {
  StoredTimes times;
  if (!std::filesystem::exists(db)) return times;
  const auto store = results::ResultStore::open_read_only(db);
  std::map<std::string, std::vector<double>> samples;
  for (const auto& sweep : store.sweep_names()) {
    const auto series = store.metric_series(sweep, "epoch", "seconds");
    for (const auto& trial : store.list_trials(sweep)) {
      times.epochs_by_id[trial.id] = trial.epochs_done;
      const auto found = series.find(trial.id);
      if (found == series.end()) continue;
      // The first epoch a worker runs also loads data and builds caches: the later ones are the
      // steady state, used when there are any.
      const auto& points = found->second;
      for (std::size_t i = points.size() > 1 ? 1 : 0; i < points.size(); ++i) {
        if (std::isfinite(points[i].second))
          samples[shape_of(trial.config)].push_back(points[i].second);
      }
    }
  }
  for (auto& [shape, values] : samples) {
    std::sort(values.begin(), values.end());
    times.seconds_by_shape[shape] = values[values.size() / 2];
  }
  return times;
}

struct Estimate {
  std::size_t trials = 0, to_run = 0;
  double seconds = 0;      // wall seconds of the trials whose shape has stored epochs
  std::size_t unseen = 0;  // trials to run whose shape (exact or coarse) has none
};

Estimate estimate(const sweeps::SweepSpec& spec, const StoredTimes& times, int workers) {
  const auto trials = sweeps::expand_trials(spec);
  Estimate e;
  e.trials = trials.size();
  double work = 0;
  for (const auto& trial : trials) {
    const int epochs = static_cast<int>(trial.config.integer("epochs"));
    auto done = times.epochs_by_id.find(trial.id);
    for (const auto& earlier : trial.earlier_ids) {
      if (done == times.epochs_by_id.end()) done = times.epochs_by_id.find(earlier);
    }
    const int stored = done == times.epochs_by_id.end() ? 0 : done->second;
    if (stored >= epochs) continue;
    ++e.to_run;
    auto seconds = times.seconds_by_shape.find(shape_of(trial.config));
    if (seconds == times.seconds_by_shape.end()) {
      seconds = times.seconds_by_shape.find(coarse_shape_of(trial.config));
    }
    if (seconds == times.seconds_by_shape.end()) {
      ++e.unseen;
      continue;
    }
    work += seconds->second * (epochs - stored);
  }
  e.seconds = work / std::max(1, workers);
  return e;
}

std::string duration_text(double seconds) {
  if (seconds < 60) return fmt::format("{:.0f} s", seconds);
  if (seconds < 3600) return fmt::format("{:.0f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

// "32 min", "done", or "12 min + 40 trials of unseen shapes" (a lower bound).
std::string estimate_text(const Estimate& e) {
  if (e.to_run == 0) return "done";
  if (e.unseen == 0) return duration_text(e.seconds);
  if (e.unseen == e.to_run) return "unknown: no stored epochs of its shapes";
  return fmt::format(">= {} + {} trials of unseen shapes", duration_text(e.seconds), e.unseen);
}

// Fig. 2 and 3 at the paper's sizes (full) or at a size that takes a minute or two (cpu).
int run_analysis(const PaperFigure& figure, const PaperFigureParams& params,
                 const std::filesystem::path& output, std::ostream& out, std::ostream& err) {
  AnalyzeOutputParams common;
  common.db = params.db;
  common.output = output;
  common.gnuplot = params.gnuplot;
  if (figure.kind == FigureKind::routing) {
    AnalyzeRoutingParams routing;
    routing.common = common;
    if (params.scale == "cpu") routing.pairs = 200;
    return analyze_routing_command(routing, out, err);
  }
  AnalyzeUtilizationParams utilization;
  utilization.common = common;
  utilization.data_root = params.data_root;
  if (params.scale == "cpu") {
    utilization.models = 200;
    utilization.examples = 10000;
  }
  return analyze_utilization_command(utilization, out, err);
}

int draw_panel(const PaperFigure& figure, const FigurePanel& panel, const std::string& sweep,
               const PaperFigureParams& params, const std::filesystem::path& output,
               std::ostream& out) {
  PlotOutputParams common;
  common.db = params.db;
  common.sweep = sweep;
  common.output = output;
  common.metric = panel.metric;
  common.gnuplot = params.gnuplot;
  if (figure.kind == FigureKind::grid) return plot_grid_command({common}, out);
  PlotBarsParams bars;
  bars.common = common;
  bars.by = panel.by;
  bars.group = panel.group;
  bars.where = panel.where;
  return plot_bars_command(bars, out);
}

}  // namespace

std::filesystem::path paper_root(const std::filesystem::path& repo) {
  if (!repo.empty()) return repo;
  std::vector<std::filesystem::path> candidates{"."};
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path().parent_path());
    candidates.push_back(exe.parent_path().parent_path().parent_path());
  }
  for (const auto& dir : candidates) {
    if (std::filesystem::is_directory(dir / "sweeps" / "paper", ec)) return dir;
  }
  return ".";
}

int paper_list_command(const PaperListParams& params, std::ostream& out,
                       const std::vector<PaperFigure>& figures) {
  const StoredTimes times = stored_times(params.db);
  Table table;
  table.columns = {{"figure"}, {"kind"},   {"scale"},    {"sweep"},
                   {"trials"}, {"to run"}, {"estimate"}, {"experiment"}};
  for (const auto& figure : figures) {
    const auto& file = sweep_of(figure, params.scale);
    std::vector<Cell> row{figure.figure};
    const char* kinds[] = {"grid", "bars", "analysis", "analysis"};
    row.emplace_back(std::string(kinds[static_cast<int>(figure.kind)]));
    row.emplace_back(params.scale);
    if (file.empty()) {
      row.emplace_back(std::string("comet analyze"));
      for (int i = 0; i < 3; ++i) row.emplace_back(std::monostate{});
    } else {
      row.emplace_back(file);
      const auto path = paper_root(params.repo) / file;
      if (!std::filesystem::exists(path)) {
        row.emplace_back(std::monostate{});
        row.emplace_back(std::monostate{});
        row.emplace_back(
            std::string("sweep file missing (run from the repository root or pass "
                        "--repo)"));
      } else {
        const auto e = estimate(sweeps::parse_sweep_file(path), times, params.jobs_per_device);
        row.emplace_back(static_cast<std::int64_t>(e.trials));
        row.emplace_back(static_cast<std::int64_t>(e.to_run));
        row.emplace_back(estimate_text(e));
      }
    }
    row.emplace_back(figure.what);
    table.rows.push_back(std::move(row));
  }
  print_table(table, params.format, out);
  if (params.format == OutputFormat::table) {
    out << fmt::format(
        "estimates: stored seconds per epoch of trials of the same shape in {} (median of the "
        "epochs after each trial's first), over {} worker(s)\n",
        params.db.string(), params.jobs_per_device);
  }
  return kExitOk;
}

int paper_figure_command(const PaperFigureParams& params, std::ostream& out, std::ostream& err,
                         const std::vector<PaperFigure>& figures) {
  const PaperFigure& figure = find_paper_figure(figures, params.figure);
  const std::string& file = sweep_of(figure, params.scale);
  const bool analysis =
      figure.kind == FigureKind::routing || figure.kind == FigureKind::utilization;
  if (!analysis && file.empty()) {
    throw UsageError(fmt::format("figure {} has no --scale {} sweep; allowed: --scale {}",
                                 figure.figure, params.scale,
                                 params.scale == "cpu" ? "full" : "cpu"));
  }
  std::filesystem::create_directories(params.out_dir);
  const std::string stem = "fig" + figure.figure;
  const auto started = std::chrono::steady_clock::now();
  int code = kExitOk;
  std::vector<std::filesystem::path> written;
  if (analysis) {
    const auto output = params.out_dir / (stem + ".png");
    code = run_analysis(figure, params, output, out, err);
    written.push_back(output);
  } else {
    const auto path = paper_root(params.repo) / file;
    if (!std::filesystem::exists(path)) {
      throw UsageError(
          fmt::format("{}: no such sweep file; run from the repository root or pass "
                      "--repo DIR",
                      path.string()));
    }
    const auto spec = sweeps::parse_sweep_file(path, params.overrides);
    const auto before = estimate(spec, stored_times(params.db), params.jobs_per_device);
    err << fmt::format("comet paper {}: {} ({} trials, {} to run, estimate {})\n", figure.figure,
                       path.string(), before.trials, before.to_run, estimate_text(before));
    RunParams run;
    run.sweep_file = path;
    run.overrides = params.overrides;
    run.db = params.db;
    run.devices = params.devices;
    run.jobs_per_device = params.jobs_per_device;
    run.data_root = params.data_root;
    run.worker_executable = params.worker_executable;
    run.interrupt_fd = params.interrupt_fd;
    run.yes = true;  // the figure's sweep is a known size
    code = run_command(run, out, err);
    if (code == kExitInterrupted) return code;
    for (const auto& panel : figure.panels) {
      for (const char* extension : {".pdf", ".png", ".svg"}) {
        const auto output = params.out_dir / (stem + panel.suffix + extension);
        draw_panel(figure, panel, spec.name, params, output, out);
        written.push_back(output);
      }
    }
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  err << fmt::format("comet paper {}: {} file(s) in {}, {} in all\n", figure.figure, written.size(),
                     params.out_dir.string(), duration_text(took.count()));
  return code;
}

}  // namespace comet::cli
