// Fig. 2 of the paper (section 4.1.1): input similarity against mask overlap and against the
// similarity of the masked backbone activations, for random COMET networks (docs/analyses.md).

#include <algorithm>
#include <limits>

#include "comet/datasets/section41_vectors.h"
#include "comet/engine/analysis.h"
#include "comet/models/network.h"
#include "comet/models/seed_stream.h"

namespace comet::engine {

namespace {

void check_routing_request(const RoutingAnalysisRequest& r) {
  const auto at_least_one = [](const char* name, std::int64_t value) {
    if (value < 1) {
      throw AnalysisError(std::string(name) + " " + std::to_string(value) + " must be >= 1");
    }
  };
  at_least_one("pairs", r.pairs);
  at_least_one("nets", r.nets);
  at_least_one("layers", r.layers);
  at_least_one("width", r.width);
  at_least_one("input_dim", r.input_dim);
  if (r.p_k.empty()) throw AnalysisError("no p_k given; allowed: values in (0, 1]");
  for (const double p : r.p_k) {
    if (!(p > 0 && p <= 1)) {
      throw AnalysisError("p_k " + std::to_string(p) + " is outside (0, 1]");
    }
    if (models::kept_units(p, r.width) < 1) {
      throw AnalysisError("p_k " + std::to_string(p) + " x width " + std::to_string(r.width) +
                          " keeps no unit; floor(p_k * width) must be >= 1");
    }
  }
}

// A 1-d tensor's values as doubles.
std::vector<double> to_vector(const torch::Tensor& t) {
  auto c = t.to(torch::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

}  // namespace

RoutingAnalysisResult run_routing_analysis(const RoutingAnalysisRequest& request) {
  check_routing_request(request);
  torch::NoGradGuard no_grad;
  const std::int64_t pairs = request.pairs;

  // Inputs: rows [0, pairs) are the first of each pair, rows [pairs, 2 pairs) the second.
  // Vector 2i and 2i + 1 are pair i (each with its own mu).
  const auto vectors = datasets::section41_vectors(
      2 * pairs, models::derive_seed(request.seed, models::SeedStream::analysis_inputs),
      request.input_dim);
  auto interleaved = torch::empty({2 * pairs, request.input_dim}, torch::kFloat);
  for (std::int64_t i = 0; i < 2 * pairs; ++i) {
    std::copy(vectors[static_cast<std::size_t>(i)].begin(),
              vectors[static_cast<std::size_t>(i)].end(), interleaved[i].data_ptr<float>());
  }
  const auto first_inputs = interleaved.slice(0, 0, 2 * pairs, 2);
  const auto inputs =
      torch::cat({first_inputs,
                  request.identical_pairs ? first_inputs : interleaved.slice(0, 1, 2 * pairs, 2)});
  const auto ids = torch::arange(2 * pairs, torch::kLong);
  const auto first = inputs.slice(0, 0, pairs).to(torch::kDouble);
  const auto second = inputs.slice(0, pairs).to(torch::kDouble);

  RoutingAnalysisResult result;
  result.input_similarity = to_vector(torch::cosine_similarity(first, second, 1, 0.0));

  const auto net_seed_base =
      models::derive_seed(request.seed, models::SeedStream::analysis_networks);
  const int total = request.nets * static_cast<int>(request.p_k.size());
  int done = 0;
  for (const double p_k : request.p_k) {
    RoutingLevel level;
    level.p_k = p_k;
    level.kept = models::kept_units(p_k, request.width);
    level.min_active = std::numeric_limits<std::int64_t>::max();
    level.max_active = 0;
    auto overlap_sum = torch::zeros({pairs}, torch::kDouble);
    auto activation_sum = torch::zeros({pairs}, torch::kDouble);
    for (int j = 0; j < request.nets; ++j) {
      models::NetworkConfig config;
      config.model = "comet";
      config.input_dim = request.input_dim;
      config.output_dim = 1;  // the output is never looked at
      config.width = request.width;
      config.depth = request.layers + 1;
      config.p_k = p_k;
      config.activation = request.activation;
      config.seed = net_seed_base + static_cast<std::uint64_t>(j);
      auto net = models::make_network(config, "cpu");
      net->set_training(false);
      std::vector<torch::Tensor> masks, activations;
      models::trace_hidden(*net, inputs, ids, masks, activations);

      // Over the hidden layers concatenated: dot products and squared norms per pair.
      auto mask_dot = torch::zeros({pairs}, torch::kDouble);
      auto mask_n1 = torch::zeros_like(mask_dot), mask_n2 = torch::zeros_like(mask_dot);
      auto act_dot = torch::zeros_like(mask_dot);
      auto act_n1 = torch::zeros_like(mask_dot), act_n2 = torch::zeros_like(mask_dot);
      for (std::size_t l = 0; l < masks.size(); ++l) {
        const auto m = masks[l].to(torch::kDouble);
        const auto counts = m.sum(1);
        level.min_active = std::min(level.min_active, counts.min().item<std::int64_t>());
        level.max_active = std::max(level.max_active, counts.max().item<std::int64_t>());
        const auto m1 = m.slice(0, 0, pairs), m2 = m.slice(0, pairs);
        mask_dot += (m1 * m2).sum(1);
        mask_n1 += m1.sum(1);  // binary: squared norm = count
        mask_n2 += m2.sum(1);
        const auto x = activations[l].to(torch::kDouble);
        const auto x1 = x.slice(0, 0, pairs), x2 = x.slice(0, pairs);
        act_dot += (x1 * x2).sum(1);
        act_n1 += (x1 * x1).sum(1);
        act_n2 += (x2 * x2).sum(1);
      }
      overlap_sum += mask_dot / (mask_n1 * mask_n2).sqrt();
      // A pair whose activations are all zero (possible with relu) has similarity 0.
      activation_sum += torch::where(act_n1 * act_n2 > 0, act_dot / (act_n1 * act_n2).sqrt(),
                                     torch::zeros_like(act_dot));
      if (request.progress) request.progress(++done, total);
    }
    level.overlap = to_vector(overlap_sum / request.nets);
    level.activation_similarity = to_vector(activation_sum / request.nets);
    level.overlap_spearman = spearman(result.input_similarity, level.overlap);
    level.activation_spearman = spearman(result.input_similarity, level.activation_similarity);
    level.overlap_slope = slope(result.input_similarity, level.overlap);
    level.activation_slope = slope(result.input_similarity, level.activation_similarity);
    result.levels.push_back(std::move(level));
  }
  return result;
}

}  // namespace comet::engine
