// Fig. 3 of the paper (section 4.1.2): how often each hidden unit of random COMET networks is
// on over a dataset, and how many never are (docs/analyses.md).

#include <algorithm>
#include <cassert>
#include <cmath>

#include "comet/datasets/dataset.h"
#include "comet/engine/analysis.h"
#include "comet/models/network.h"
#include "comet/models/seed_stream.h"

namespace comet::engine {

namespace {

// splitmix64 as a sequence: portable draws (std::uniform_*_distribution are not).
class ShapeDraws {
 public:
  explicit ShapeDraws(std::uint64_t seed) : state_(seed) {}
  double uniform() {  // [0, 1)
    state_ += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;
  }

 private:
  std::uint64_t state_;
};

void check_utilization_request(const UtilizationAnalysisRequest& r) {
  const auto fail = [](const std::string& what) { throw AnalysisError(what); };
  if (r.models < 1) fail("models " + std::to_string(r.models) + " must be >= 1");
  if (r.examples < 0) fail("examples " + std::to_string(r.examples) + " must be >= 0 (0: all)");
  if (r.depth < 2) fail("depth " + std::to_string(r.depth) + " must be >= 2");
  if (r.min_width < 1 || r.max_width < r.min_width) {
    fail("widths " + std::to_string(r.min_width) + ".." + std::to_string(r.max_width) +
         " must satisfy 1 <= min <= max");
  }
  if (!(r.min_drop >= 0 && r.min_drop <= r.max_drop && r.max_drop <= 1)) {
    fail("1 - p_k range " + std::to_string(r.min_drop) + ".." + std::to_string(r.max_drop) +
         " must satisfy 0 <= min <= max <= 1");
  }
  if (r.histogram_bins < 1) fail("histogram bins must be >= 1");
  if (r.examples_from != "train" && r.examples_from != "test" && r.examples_from != "all") {
    fail("examples from '" + r.examples_from + "'; allowed: train, test, all");
  }
}

}  // namespace

UtilizationAnalysisResult run_utilization_analysis(const UtilizationAnalysisRequest& request) {
  check_utilization_request(request);
  torch::NoGradGuard no_grad;
  datasets::DatasetRequest data_request;
  data_request.name = request.dataset;
  data_request.data_root = request.data_root;
  const auto data = datasets::load_dataset(data_request);
  // The whole training file (the train and validation splits together), the test split, or all.
  std::vector<torch::Tensor> parts;
  if (request.examples_from != "test") {
    parts = {data->train().features(), data->validation().features()};
  }
  if (request.examples_from != "train") {
    if (data->test().size() == 0) {
      throw AnalysisError(request.dataset + " has no test split; allowed: examples from train");
    }
    parts.push_back(data->test().features());
  }
  auto raw = torch::cat(parts);
  if (request.examples > 0) {
    if (request.examples > raw.size(0)) {
      throw AnalysisError("examples " + std::to_string(request.examples) + " exceeds the " +
                          std::to_string(raw.size(0)) + " examples of " + request.dataset +
                          " (examples from " + request.examples_from + ")");
    }
    raw = raw.narrow(0, 0, request.examples);
  }
  const std::int64_t n = raw.size(0);
  constexpr std::int64_t kBatch = 2048;
  torch::Tensor feature_mean, feature_inv_std;  // --standardize: per feature, over the examples
  if (request.standardize_features) {
    auto sum = torch::zeros({raw.size(1)}, torch::kDouble);
    auto sum_sq = torch::zeros({raw.size(1)}, torch::kDouble);
    for (std::int64_t start = 0; start < n; start += kBatch) {
      const auto x =
          data->prepare(raw.narrow(0, start, std::min(kBatch, n - start))).to(torch::kDouble);
      sum += x.sum(0);
      sum_sq += x.pow(2).sum(0);
    }
    feature_mean = sum / static_cast<double>(n);
    const auto variance = (sum_sq / static_cast<double>(n) - feature_mean.pow(2)).clamp_min(0);
    // A constant feature (variance 0) carries nothing: it becomes 0 rather than 0/0.
    feature_inv_std = torch::where(variance > 1e-12, variance.rsqrt(), torch::zeros_like(variance))
                          .to(torch::kFloat);
    feature_mean = feature_mean.to(torch::kFloat);
  }
  const auto inputs = [&](std::int64_t start, std::int64_t len) {
    auto x = data->prepare(raw.narrow(0, start, len));
    return request.standardize_features ? (x - feature_mean) * feature_inv_std : x;
  };

  UtilizationAnalysisResult result;
  result.examples = n;
  result.histogram.assign(static_cast<std::size_t>(request.histogram_bins), 0);
  ShapeDraws draws(models::derive_seed(request.seed, models::SeedStream::analysis_inputs));
  const auto net_seed_base =
      models::derive_seed(request.seed, models::SeedStream::analysis_networks);
  std::int64_t models_with_dead = 0;
  for (int i = 0; i < request.models; ++i) {
    models::NetworkConfig config;
    config.model = "comet";
    config.input_dim = data->info().input_dim;
    config.output_dim = data->info().output_dim;
    config.depth = request.depth;
    config.activation = request.activation;
    config.seed = net_seed_base + static_cast<std::uint64_t>(i);
    const auto span = static_cast<double>(request.max_width - request.min_width + 1);
    const auto draw_width = [&] {
      return request.min_width + static_cast<std::int64_t>(draws.uniform() * span);
    };
    std::int64_t kept = 0;
    do {  // a draw that keeps no unit in some layer is drawn again (about 1 % of draws)
      config.width = draw_width();
      config.hidden_widths.clear();
      if (request.width_per_layer) {
        config.hidden_widths.push_back(config.width);
        for (int l = 2; l < request.depth; ++l) config.hidden_widths.push_back(draw_width());
        config.width = *std::min_element(config.hidden_widths.begin(), config.hidden_widths.end());
      }
      config.p_k =
          1.0 - (request.min_drop + draws.uniform() * (request.max_drop - request.min_drop));
    } while (models::kept_units(config.p_k, config.width) < 1);
    auto net = models::make_network(config, "cpu");
    net->set_training(false);
    // comet's masks depend on the input alone (fixed routing, eqs. 4-6): the routing network's
    // masks are the whole answer, without the backbone's forward pass.
    assert(net->masks_depend_only_on_input());

    torch::Tensor on_counts;  // [sum of the hidden widths]
    for (std::int64_t start = 0; start < n; start += kBatch) {
      const auto len = std::min(kBatch, n - start);
      const auto masks = net->input_masks(inputs(start, len));
      auto counts = torch::cat(masks, 1).sum(0, false, torch::kLong);
      on_counts = on_counts.defined() ? on_counts + counts : counts;
    }
    for (const auto w : config.hidden_widths.empty()
                            ? std::vector<std::int64_t>(request.depth - 1, config.width)
                            : config.hidden_widths) {
      kept += models::kept_units(config.p_k, w);
    }
    const auto utilization = on_counts.to(torch::kDouble) / static_cast<double>(n);

    UtilizationModel model;
    model.width = on_counts.numel() / (request.depth - 1);
    model.p_k = config.p_k;
    model.kept = kept;
    model.units = utilization.numel();
    model.never_active = (on_counts == 0).sum().item<std::int64_t>();
    model.min_utilization = utilization.min().item<double>();
    model.max_utilization = utilization.max().item<double>();
    model.mean_utilization = utilization.mean().item<double>();
    const auto bins = (utilization * request.histogram_bins)
                          .floor()
                          .clamp(0, request.histogram_bins - 1)
                          .to(torch::kLong)
                          .bincount({}, request.histogram_bins);
    for (int b = 0; b < request.histogram_bins; ++b) {
      result.histogram[static_cast<std::size_t>(b)] += bins[b].item<std::int64_t>();
    }
    result.units += model.units;
    result.never_active += model.never_active;
    if (model.never_active > 0) ++models_with_dead;
    result.models.push_back(model);
    if (request.progress) request.progress(i + 1, request.models);
  }
  result.never_active_percent =
      100.0 * static_cast<double>(result.never_active) / static_cast<double>(result.units);
  result.models_with_never_active_percent =
      100.0 * static_cast<double>(models_with_dead) / static_cast<double>(request.models);
  return result;
}

}  // namespace comet::engine
