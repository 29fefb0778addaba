// comet analyze routing | utilization: validate, compute (engine/analysis.h), store, print,
// draw (docs/analyses.md).

#include "comet/cli/analyze_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "comet/cli/exit_codes.h"
#include "comet/cli/usage_error.h"
#include "comet/datasets/dataset.h"
#include "comet/engine/analysis.h"
#include "comet/models/network.h"
#include "comet/results/figures.h"
#include "comet/results/result_store.h"
#include "comet/version.h"

namespace comet::cli {

namespace {

using Clock = std::chrono::steady_clock;

// One colour per series, as the other figures (figure_grid.cpp).
const std::vector<std::string> kColours = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                           "#9467bd", "#8c564b", "#e377c2", "#17becf"};

// "0.1,0.5,0.9,1" -> values, each in (0, 1] and keeping at least one of `width` units.
std::vector<double> parse_pks(const std::string& text, std::int64_t width) {
  std::vector<double> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t used = 0;
    double value = 0;
    try {
      value = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size()) {
      throw UsageError(fmt::format(
          "--p-k '{}' is not a number; allowed: comma-separated values in (0, 1], e.g. 0.1,0.5,1",
          item));
    }
    if (!(value > 0 && value <= 1)) {
      throw UsageError(
          fmt::format("--p-k {} is outside (0, 1]; allowed: values 0 < p_k <= 1 "
                      "(the fraction of units kept)",
                      item));
    }
    if (models::kept_units(value, width) < 1) {
      throw UsageError(fmt::format(
          "--p-k {} keeps no unit of --width {}; allowed: floor(p_k * width) >= 1", item, width));
    }
    values.push_back(value);
  }
  if (values.empty()) {
    throw UsageError("--p-k is empty; allowed: comma-separated values in (0, 1], e.g. 0.1,0.5,1");
  }
  return values;
}

void require_positive(const char* option, std::int64_t value) {
  if (value < 1) {
    throw UsageError(fmt::format("{} {} is not allowed; allowed: an integer >= 1", option, value));
  }
}

// Checks the figure's extension before any work; a FigureError is the user's input.
void check_output(const AnalyzeOutputParams& common) {
  if (!common.output) return;
  try {
    results::figure_format_of(*common.output);
  } catch (const results::FigureError& e) {
    throw UsageError(fmt::format("-o {}: {}", common.output->string(), e.what()));
  }
}

// "networks 12/40, 3.1s elapsed, ETA 7.2s" at most every 2 seconds, and at the end.
engine::AnalysisProgress progress_to(std::ostream& err, const std::string& what,
                                     Clock::time_point started) {
  auto last = std::make_shared<Clock::time_point>(started);
  return [&err, what, started, last](int done, int total) {
    const auto now = Clock::now();
    if (done < total && now - *last < std::chrono::seconds(2)) return;
    *last = now;
    const double elapsed = std::chrono::duration<double>(now - started).count();
    const double eta = elapsed / done * (total - done);
    err << fmt::format("comet analyze: {} {}/{}, {:.1f}s elapsed, ETA {:.1f}s\n", what, done, total,
                       elapsed, eta)
        << std::flush;
  };
}

std::string pk_text(double p_k) { return fmt::format("{}", p_k); }

Cell number_or_empty(double value) {
  if (std::isnan(value)) return std::monostate{};
  return value;
}

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (const double x : v) sum += x;
  return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
}

// Stores the record, draws the figure if asked, and reports both (to `out` for a table, else
// to `err`, so csv and json stay machine-readable).
void store_and_draw(results::AnalysisRecord record, const results::GnuplotJob& job,
                    const AnalyzeOutputParams& common, double seconds, std::ostream& out,
                    std::ostream& err) {
  record.comet_version = version_string();
  auto store = results::ResultStore::open(common.db);
  const auto id = store.record_analysis(record);
  std::ostream& notes = common.format == OutputFormat::table ? out : err;
  notes << fmt::format("{} analysis {} stored in {} ({} points); computed in {:.1f}s\n",
                       record.kind, id, common.db.string(), record.points.size(), seconds);
  if (common.output) {
    results::render_figure(
        job, results::RenderOptions{*common.output, common.script_dir, common.gnuplot});
    notes << fmt::format("wrote {}{}\n", common.output->string(),
                         common.script_dir ? "; script in " + common.script_dir->string() : "");
  }
}

results::GnuplotJob routing_figure(const engine::RoutingAnalysisResult& result,
                                   const AnalyzeRoutingParams& params) {
  results::GnuplotJob job;
  job.width_inches = 11;
  job.height_inches = 4.5;
  std::string plot_a, plot_b;
  for (std::size_t i = 0; i < result.levels.size(); ++i) {
    const auto& level = result.levels[i];
    std::string data = "# input_similarity overlap activation_similarity\n";
    for (std::size_t p = 0; p < result.input_similarity.size(); ++p) {
      data += fmt::format("{} {} {}\n", result.input_similarity[p], level.overlap[p],
                          level.activation_similarity[p]);
    }
    const auto file = fmt::format("pk{}.dat", i);
    job.data_files.emplace_back(file, std::move(data));
    const auto colour = kColours[i % kColours.size()];
    const auto title = results::gnuplot_string("p_k = " + pk_text(level.p_k));
    const auto style =
        fmt::format("with points pt 7 ps 0.35 lc rgb \"{}\" title {}", colour, title);
    plot_a += fmt::format("{}{} using 1:2 {}", plot_a.empty() ? "plot " : ", \\\n     ",
                          results::gnuplot_string(file), style);
    plot_b += fmt::format("{}{} using 1:3 {}", plot_b.empty() ? "plot " : ", \\\n     ",
                          results::gnuplot_string(file), style);
  }
  auto& gp = job.script;
  gp += fmt::format(
      "set multiplot layout 1,2 title {}\n",
      results::gnuplot_string(fmt::format(
          "COMET routing (paper Fig. 2): {} input pairs, mean over {} nets of {} x {} units",
          params.pairs, params.nets, params.layers, params.width)));
  gp += "set grid lc rgb \"#dddddd\"\nset xrange [*:1]\nset yrange [0:1.02]\n";
  gp += "set xlabel \"input cosine similarity\"\n";
  gp += "set title \"(a) mask overlap\"\nset ylabel \"cosine similarity of masks\"\n";
  gp += "set key right center samplen 1\n";
  gp += plot_a + "\n";
  gp += "set title \"(b) masked activations\"\nset key left top samplen 1\n";
  gp += "set ylabel \"cosine similarity of activations\"\n";
  gp += plot_b + "\nunset multiplot\n";
  return job;
}

results::GnuplotJob utilization_figure(const engine::UtilizationAnalysisResult& result,
                                       const AnalyzeUtilizationParams& params) {
  results::GnuplotJob job;
  job.width_inches = 11;
  job.height_inches = 4.5;
  std::string hist = "# utilization_bin_centre units\n";
  const auto bins = static_cast<double>(result.histogram.size());
  for (std::size_t b = 0; b < result.histogram.size(); ++b) {
    hist += fmt::format("{} {}\n", (static_cast<double>(b) + 0.5) / bins, result.histogram[b]);
  }
  job.data_files.emplace_back("histogram.dat", std::move(hist));
  std::string models = "# p_k min_utilization never_active\n";
  for (const auto& m : result.models) {
    models += fmt::format("{} {} {}\n", m.p_k, m.min_utilization, m.never_active);
  }
  job.data_files.emplace_back("models.dat", std::move(models));
  auto& gp = job.script;
  gp += fmt::format(
      "set multiplot layout 1,2 title {}\n",
      results::gnuplot_string(fmt::format(
          "COMET unit utilisation (paper Fig. 3): {} random 4-layer nets, {} examples of {}",
          result.models.size(), result.examples, params.dataset)));
  gp += "set grid lc rgb \"#dddddd\"\nunset key\n";
  gp += "set title \"(a) utilisation of every hidden unit\"\n";
  gp += "set xlabel \"share of examples with the unit on\"\nset ylabel \"units\"\n";
  gp += "set logscale y\nset xrange [0:1]\nset style fill solid 0.6\n";
  gp += fmt::format("set boxwidth {}\n", 1.0 / bins);
  gp += "plot \"histogram.dat\" using 1:($2 > 0 ? $2 : 1/0) with boxes lc rgb \"#1f77b4\"\n";
  gp += "unset logscale y\nset autoscale x\n";
  gp += "set title \"(b) least-used unit per model\"\n";
  gp += "set xlabel \"p_k\"\nset ylabel \"minimum utilisation\"\n";
  gp += "plot \"models.dat\" using 1:2 with points pt 7 ps 0.5 lc rgb \"#d62728\"\n";
  gp += "unset multiplot\n";
  return job;
}

}  // namespace

int analyze_routing_command(const AnalyzeRoutingParams& params, std::ostream& out,
                            std::ostream& err) {
  require_positive("--pairs", params.pairs);
  require_positive("--nets", params.nets);
  require_positive("--layers", params.layers);
  require_positive("--width", params.width);
  require_positive("--input-dim", params.input_dim);
  const auto& activations = models::activation_names();
  if (std::find(activations.begin(), activations.end(), params.activation) == activations.end()) {
    throw UsageError(fmt::format("--activation '{}' is not allowed; allowed: {}", params.activation,
                                 fmt::join(activations, ", ")));
  }
  engine::RoutingAnalysisRequest request;
  request.pairs = params.pairs;
  request.nets = params.nets;
  request.layers = params.layers;
  request.width = params.width;
  request.input_dim = params.input_dim;
  request.p_k = parse_pks(params.p_k, params.width);
  request.activation = params.activation;
  request.seed = params.common.seed;
  check_output(params.common);

  const auto started = Clock::now();
  request.progress = progress_to(err, "networks", started);
  const auto result = engine::run_routing_analysis(request);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();

  results::AnalysisRecord record;
  record.kind = "routing";
  record.params_json =
      nlohmann::json{
          {"pairs", params.pairs},
          {"nets", params.nets},
          {"layers", params.layers},
          {"width", params.width},
          {"input_dim", params.input_dim},
          {"p_k", request.p_k},
          {"activation", params.activation},
          {"seed", params.common.seed},
          {"inputs", "components N(mu, 25) (std 5), mu ~ U{0..100} per input"},
          {"points", "one per pair: mean over the nets; the nets are shared by all pairs"},
      }
          .dump();
  nlohmann::json levels = nlohmann::json::array();
  Table table;
  table.columns = {{"p_k"},
                   {"kept_per_layer"},
                   {"overlap_spearman", 4},
                   {"activation_spearman", 4},
                   {"overlap_slope", 4},
                   {"activation_slope", 4},
                   {"mean_overlap", 4},
                   {"mean_activation_similarity", 4}};
  for (const auto& level : result.levels) {
    const auto nan_or = [](double v) {
      return std::isnan(v) ? nlohmann::json() : nlohmann::json(v);
    };
    levels.push_back(
        nlohmann::json{{"p_k", level.p_k},
                       {"kept", level.kept},
                       {"overlap_spearman", nan_or(level.overlap_spearman)},
                       {"activation_spearman", nan_or(level.activation_spearman)},
                       {"overlap_slope", nan_or(level.overlap_slope)},
                       {"activation_slope", nan_or(level.activation_slope)},
                       {"mean_overlap", mean_of(level.overlap)},
                       {"mean_activation_similarity", mean_of(level.activation_similarity)}});
    // Built cell by cell: a braced list of variants trips GCC 12's maybe-uninitialized.
    std::vector<Cell> row;
    row.emplace_back(level.p_k);
    row.emplace_back(level.kept);
    row.push_back(number_or_empty(level.overlap_spearman));
    row.push_back(number_or_empty(level.activation_spearman));
    row.push_back(number_or_empty(level.overlap_slope));
    row.push_back(number_or_empty(level.activation_slope));
    row.emplace_back(mean_of(level.overlap));
    row.emplace_back(mean_of(level.activation_similarity));
    table.rows.push_back(std::move(row));
    for (std::size_t p = 0; p < result.input_similarity.size(); ++p) {
      record.points.push_back(results::AnalysisPoint{"overlap p_k=" + pk_text(level.p_k),
                                                     result.input_similarity[p], level.overlap[p]});
      record.points.push_back(results::AnalysisPoint{"activation p_k=" + pk_text(level.p_k),
                                                     result.input_similarity[p],
                                                     level.activation_similarity[p]});
    }
  }
  record.summary_json = nlohmann::json{{"levels", levels}, {"seconds", seconds}}.dump();

  print_table(table, params.common.format, out);
  if (params.common.format == OutputFormat::table) {
    out << "spearman: rank correlation of input cosine similarity with mask overlap and with "
           "masked-activation similarity (\"-\": one side is constant); slope: least-squares "
           "slope on input similarity (how sharply it rises)\n";
  }
  store_and_draw(std::move(record), routing_figure(result, params), params.common, seconds, out,
                 err);
  return kExitOk;
}

int analyze_utilization_command(const AnalyzeUtilizationParams& params, std::ostream& out,
                                std::ostream& err) {
  require_positive("--models", params.models);
  if (params.examples < 0) {
    throw UsageError(fmt::format(
        "--examples {} is not allowed; allowed: an integer >= 1, or 0 for all", params.examples));
  }
  const auto& names = datasets::dataset_names();
  if (std::find(names.begin(), names.end(), params.dataset) == names.end()) {
    throw UsageError(fmt::format("--dataset '{}' is not known; allowed: {}", params.dataset,
                                 fmt::join(names, ", ")));
  }
  if (params.widths != "per_model" && params.widths != "per_layer") {
    throw UsageError(
        fmt::format("--widths '{}' is not allowed; allowed: per_model, per_layer", params.widths));
  }
  if (params.sparsity.size() != 2 ||
      !(params.sparsity[0] >= 0 && params.sparsity[0] <= params.sparsity[1] &&
        params.sparsity[1] <= 1)) {
    throw UsageError(fmt::format(
        "--sparsity {} is not allowed; allowed: LO,HI with 0 <= LO <= HI <= 1 (the range of "
        "1 - p_k)",
        fmt::join(params.sparsity, ",")));
  }
  if (params.examples_from != "train" && params.examples_from != "test" &&
      params.examples_from != "all") {
    throw UsageError(fmt::format("--examples-from '{}' is not allowed; allowed: train, test, all",
                                 params.examples_from));
  }
  check_output(params.common);
  engine::UtilizationAnalysisRequest request;
  request.width_per_layer = params.widths == "per_layer";
  request.min_drop = params.sparsity[0];
  request.max_drop = params.sparsity[1];
  request.examples_from = params.examples_from;
  request.standardize_features = params.standardize;
  request.dataset = params.dataset;
  request.data_root = params.data_root;
  request.models = params.models;
  request.examples = params.examples;
  request.seed = params.common.seed;

  const auto started = Clock::now();
  request.progress = progress_to(err, "models", started);
  const auto result = engine::run_utilization_analysis(request);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();

  results::AnalysisRecord record;
  record.kind = "utilization";
  record.params_json =
      nlohmann::json{
          {"dataset", params.dataset},
          {"models", params.models},
          {"examples", result.examples},
          {"depth", request.depth},
          {"width", {request.min_width, request.max_width}},
          {"widths", params.widths},
          {"one_minus_p_k", {request.min_drop, request.max_drop}},
          {"examples_from", params.examples_from},
          {"standardize", params.standardize},
          {"activation", request.activation},
          {"seed", params.common.seed},
      }
          .dump();
  record.summary_json =
      nlohmann::json{
          {"units", result.units},
          {"never_active", result.never_active},
          {"never_active_percent", result.never_active_percent},
          {"models_with_never_active_percent", result.models_with_never_active_percent},
          {"seconds", seconds},
          {"seconds_per_model", seconds / params.models},
      }
          .dump();
  const auto bins = static_cast<double>(result.histogram.size());
  for (std::size_t b = 0; b < result.histogram.size(); ++b) {
    record.points.push_back(results::AnalysisPoint{"histogram",
                                                   (static_cast<double>(b) + 0.5) / bins,
                                                   static_cast<double>(result.histogram[b])});
  }
  for (const auto& m : result.models) {
    record.points.push_back(results::AnalysisPoint{"min utilization", m.p_k, m.min_utilization});
    record.points.push_back(
        results::AnalysisPoint{"never active units", m.p_k, static_cast<double>(m.never_active)});
    record.points.push_back(results::AnalysisPoint{"width", m.p_k, static_cast<double>(m.width)});
  }

  Table table;
  table.columns = {{"dataset"},
                   {"models"},
                   {"examples"},
                   {"units"},
                   {"never_active"},
                   {"never_active_percent", 6},
                   {"models_with_never_active_percent", 2},
                   {"seconds_per_model", 2}};
  std::vector<Cell> row;
  row.emplace_back(params.dataset);
  row.emplace_back(std::int64_t{params.models});
  row.emplace_back(result.examples);
  row.emplace_back(result.units);
  row.emplace_back(result.never_active);
  row.emplace_back(result.never_active_percent);
  row.emplace_back(result.models_with_never_active_percent);
  row.emplace_back(seconds / params.models);
  table.rows.push_back(std::move(row));
  print_table(table, params.common.format, out);
  store_and_draw(std::move(record), utilization_figure(result, params), params.common, seconds, out,
                 err);
  return kExitOk;
}

}  // namespace comet::cli
