#pragma once
// `comet analyze routing | utilization`: the paper's section 4.1 analyses (docs/analyses.md).
// Each computes with the engine (engine/analysis.h) over networks built by models/, stores the
// result with ResultStore::record_analysis (kind "routing" / "utilization"), prints a summary
// and, with an output path, draws the figure with gnuplot. Bad options are a UsageError
// (exit 2) naming the value and what is allowed; nothing is computed or written then.

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "comet/cli/table_printer.h"

namespace comet::cli {

// What both analyses share: where results and the figure go.
struct AnalyzeOutputParams {
  std::filesystem::path db = "comet.db";                 // created if missing
  std::optional<std::filesystem::path> output = {};      // the figure: .pdf, .png or .svg
  std::optional<std::filesystem::path> script_dir = {};  // keep figure.gp and its data here
  OutputFormat format = OutputFormat::table;
  std::string gnuplot = "gnuplot";  // the program (tests point it elsewhere)
  std::uint64_t seed = 0;
};

// Fig. 2: input similarity vs mask overlap (a) and vs masked-activation similarity (b).
struct AnalyzeRoutingParams {
  AnalyzeOutputParams common = {};
  int pairs = 500;
  int nets = 10;
  int layers = 10;
  std::int64_t width = 512;
  std::int64_t input_dim = 100;
  std::string p_k = "0.1,0.5,0.9,1";  // comma-separated, each in (0, 1]
  std::string activation = "softplus";
};
// Progress (networks done / total, ETA) goes to `err`.
int analyze_routing_command(const AnalyzeRoutingParams& params, std::ostream& out,
                            std::ostream& err);

// Fig. 3: per-unit utilisation of random 4-layer COMET MLPs over a dataset.
struct AnalyzeUtilizationParams {
  AnalyzeOutputParams common = {};
  std::string dataset = "fashion_mnist";
  std::filesystem::path data_root = {};  // empty: $COMET_DATA or the cache folder
  int models = 1000;
  std::int64_t examples = 0;  // 0: the whole training file
  // Fig. 3's readings (docs/analyses.md, "Which reading gives the paper's numbers").
  std::string widths = "per_model";         // per_model | per_layer
  std::vector<double> sparsity = {0.05, 1};  // the range of 1 - p_k, drawn uniformly
  std::string examples_from = "train";      // train | test | all
  bool standardize = false;                 // per-feature standardisation (not the paper's)
};
int analyze_utilization_command(const AnalyzeUtilizationParams& params, std::ostream& out,
                                std::ostream& err);

}  // namespace comet::cli
