#pragma once
// The analyses of the paper's section 4.1 (`comet analyze`, docs/analyses.md): how COMET's fixed
// routing maps input similarity to mask overlap (Fig. 2), and how often each hidden unit of
// random COMET networks is on over a dataset (Fig. 3). Torch-free header; the computations are
// in engine/src/routing_analysis.cpp and utilization_analysis.cpp, over models::make_network
// and models::trace_hidden, so the masks are exactly those of training.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace comet::engine {

// A request the analyses cannot run (a size < 1, a p_k outside (0, 1]); CLI exit code 2.
class AnalysisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Called after each unit of work (a network): done, total.
using AnalysisProgress = std::function<void(int done, int total)>;

// Fig. 2 (section 4.1.1). `pairs` pairs of inputs of `input_dim` components; every input has
// its own mean mu, a random integer in [0, 100], and components mu + 5 * N(0, 1) (variance 25),
// from datasets::section41_vectors with seed derive_seed(seed, analysis_inputs).
// Network j (j < nets) is `comet` with `layers` hidden layers of `width` units and trial seed
// derive_seed(seed, analysis_networks) + j: the same backbone and routing weights for every
// p_k (only k changes) and for every pair (the pairs are one batch).
struct RoutingAnalysisRequest {
  int pairs = 500;
  int nets = 10;
  int layers = 10;
  std::int64_t width = 512;
  std::int64_t input_dim = 100;
  std::vector<double> p_k = {0.1, 0.5, 0.9, 1.0};
  std::string activation = "softplus";
  std::uint64_t seed = 0;
  // A control: every pair is (x, x), so every overlap and activation similarity is 1.
  bool identical_pairs = false;
  AnalysisProgress progress = {};
};

struct RoutingLevel {
  double p_k = 1;
  std::int64_t kept = 0;  // floor(p_k * width), units on per hidden layer
  // Active units per (input, hidden layer, net) counted in the masks: both equal `kept`.
  std::int64_t min_active = 0, max_active = 0;
  // Per pair, the mean over the nets of the cosine similarity of the two inputs' masks
  // concatenated over the hidden layers (= |m1 AND m2| / (layers * kept): the overlap) and of
  // their masked activations x_l concatenated over the hidden layers.
  std::vector<double> overlap;
  std::vector<double> activation_similarity;
  // Spearman rank correlation of input similarity with each; NaN when one side is constant
  // (overlap at p_k = 1 is always 1).
  double overlap_spearman = 0;
  double activation_spearman = 0;
  // Least-squares slope of each on input similarity: how sharply it rises (0 when constant).
  double overlap_slope = 0;
  double activation_slope = 0;
};

struct RoutingAnalysisResult {
  std::vector<double> input_similarity;  // cosine similarity of each pair's inputs
  std::vector<RoutingLevel> levels;      // one per requested p_k, in order
};

// Throws AnalysisError for a bad request, models::ModelError if a network cannot be built.
RoutingAnalysisResult run_routing_analysis(const RoutingAnalysisRequest& request);

// Fig. 3 (section 4.1.2). `models` random `comet` networks of `depth` linear layers (depth - 1
// hidden layers), model i with width N ~ U{100..1000} (one N for all its hidden layers) and
// 1 - p_k ~ U(0.05, 1) (a draw keeping no unit, floor(p_k N) < 1, is drawn again), trial seed
// derive_seed(seed, analysis_networks) + i. Every example of the dataset's training file (its
// train and validation splits, normalised as in training), or the first `examples` of them,
// goes through each network in evaluation mode; a unit's utilisation is the share of those
// examples for which its mask is on.
struct UtilizationAnalysisRequest {
  std::string dataset = "fashion_mnist";
  std::filesystem::path data_root = {};  // empty: datasets::default_data_root()
  int models = 1000;
  std::int64_t examples = 0;  // 0: all of the training file
  int depth = 4;
  std::int64_t min_width = 100, max_width = 1000;
  double min_drop = 0.05, max_drop = 1.0;  // the range of 1 - p_k
  // Fig. 3's readings (docs/analyses.md): a width per hidden layer (N_l) or one per model; the
  // examples passed: the training file (train and validation splits), the test split, or both.
  bool width_per_layer = false;
  std::string examples_from = "train";  // train | test | all
  // Not a reading of the paper but a test of why the readings differ: standardise every feature
  // over the examples (zero mean, unit variance; constant features become 0), which removes the
  // common component a dataset with constant pixels (Fashion-MNIST's background) gives every
  // input, as CIFAR-10's varied pixels largely do by themselves.
  bool standardize_features = false;
  std::string activation = "softplus";
  std::uint64_t seed = 0;
  int histogram_bins = 50;
  AnalysisProgress progress = {};
};

struct UtilizationModel {
  std::int64_t width = 0;  // the mean of the hidden layers' widths
  double p_k = 0;
  std::int64_t kept = 0;          // units kept per example, over every hidden layer
  std::int64_t units = 0;         // hidden units, over every hidden layer
  std::int64_t never_active = 0;  // units with utilisation 0
  double min_utilization = 0, max_utilization = 0;
  double mean_utilization = 0;  // kept / width: every example turns on `kept` units per layer
};

struct UtilizationAnalysisResult {
  std::int64_t examples = 0;  // examples each network saw
  std::vector<UtilizationModel> models;
  std::int64_t units = 0, never_active = 0;
  double never_active_percent = 0;              // 100 * never_active / units
  double models_with_never_active_percent = 0;  // share of models with any, in percent
  // Utilisation of every unit of the ensemble: bins of width 1 / histogram_bins over [0, 1]
  // (the last one closed), counts.
  std::vector<std::int64_t> histogram;
};

// Throws AnalysisError for a bad request, datasets::DatasetError for a missing dataset.
UtilizationAnalysisResult run_utilization_analysis(const UtilizationAnalysisRequest& request);

// Spearman's rank correlation (average ranks for ties); NaN if either side is constant or
// the sizes differ or are < 2.
double spearman(const std::vector<double>& x, const std::vector<double>& y);
// Least-squares slope of y on x; NaN if x is constant or the sizes differ or are < 2.
double slope(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace comet::engine
