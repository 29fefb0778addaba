// The section 4.1 analyses (engine/analysis.h) at small sizes with fixed seeds: Spearman on known
// sequences, the routing analysis's invariants (p_k = 1, identical pairs, k units per layer,
// reproducibility) and the utilisation analysis over a generated dataset.

#include "comet/engine/analysis.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "comet/datasets/dataset.h"
#include "comet/models/network.h"

namespace comet::engine {
namespace {

TEST(SpearmanTest, KnownSequences) {
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4, 5}, {2, 4, 8, 16, 32}), 1.0);  // monotone, not linear
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4, 5}, {5, 3, 2, 1, 0}), -1.0);
  // One swap among 4: 1 - 6 * 2 / (4 * 15).
  EXPECT_NEAR(spearman({1, 2, 3, 4}, {1, 3, 2, 4}), 0.8, 1e-12);
  // A tie shares the mean rank 2.5: 4.5 / sqrt(4.5 * 5).
  EXPECT_NEAR(spearman({1, 2, 2, 3}, {1, 2, 3, 4}), 4.5 / std::sqrt(22.5), 1e-12);
  EXPECT_TRUE(std::isnan(spearman({1, 2, 3}, {1, 1, 1})));  // constant side
  EXPECT_TRUE(std::isnan(spearman({1}, {1})));
  EXPECT_TRUE(std::isnan(spearman({1, 2}, {1, 2, 3})));
}

TEST(SlopeTest, KnownLines) {
  EXPECT_NEAR(slope({0, 1, 2, 3}, {1, 3, 5, 7}), 2.0, 1e-12);
  EXPECT_NEAR(slope({0, 1, 2}, {4, 4, 4}), 0.0, 1e-12);
  EXPECT_NEAR(slope({0, 1, 2}, {0, 2, 1}), 0.5, 1e-12);
  EXPECT_TRUE(std::isnan(slope({1, 1}, {0, 1})));
}

RoutingAnalysisRequest small_routing() {
  RoutingAnalysisRequest r;
  r.pairs = 24;
  r.nets = 2;
  r.layers = 3;
  r.width = 40;
  r.input_dim = 12;
  r.p_k = {0.1, 0.25, 0.5, 1.0};
  r.seed = 7;
  return r;
}

TEST(RoutingAnalysisTest, KeepsFloorPkWidthUnitsPerLayerAndPkOneOverlapsFully) {
  const auto result = run_routing_analysis(small_routing());
  ASSERT_EQ(result.input_similarity.size(), 24u);
  ASSERT_EQ(result.levels.size(), 4u);
  const std::int64_t expected_kept[] = {4, 10, 20, 40};
  for (std::size_t i = 0; i < result.levels.size(); ++i) {
    const auto& level = result.levels[i];
    EXPECT_EQ(level.kept, expected_kept[i]) << level.p_k;
    EXPECT_EQ(level.min_active, expected_kept[i]) << level.p_k;
    EXPECT_EQ(level.max_active, expected_kept[i]) << level.p_k;
    ASSERT_EQ(level.overlap.size(), 24u);
    ASSERT_EQ(level.activation_similarity.size(), 24u);
    for (const double o : level.overlap) {
      EXPECT_GE(o, 0.0);
      EXPECT_LE(o, 1.0 + 1e-12);
    }
  }
  for (const double o : result.levels.back().overlap) EXPECT_EQ(o, 1.0);  // exactly
  EXPECT_EQ(result.levels.back().overlap_slope, 0.0);
  EXPECT_TRUE(std::isnan(result.levels.back().overlap_spearman));
  EXPECT_FALSE(std::isnan(result.levels.back().activation_spearman));
  // Sparse masks of different inputs do not all coincide.
  const auto& sparse = result.levels.front().overlap;
  EXPECT_LT(*std::min_element(sparse.begin(), sparse.end()), 0.9);
  // The inputs span a range of similarities (per-input mu).
  const auto [lo, hi] =
      std::minmax_element(result.input_similarity.begin(), result.input_similarity.end());
  EXPECT_LT(*lo, 0.9);
  EXPECT_GT(*hi, 0.99);
}

TEST(RoutingAnalysisTest, AnInputOverlapsItselfFullyForEveryPk) {
  auto request = small_routing();
  request.identical_pairs = true;
  const auto result = run_routing_analysis(request);
  for (const double s : result.input_similarity) EXPECT_NEAR(s, 1.0, 1e-12);
  for (const auto& level : result.levels) {
    for (const double o : level.overlap) EXPECT_NEAR(o, 1.0, 1e-12) << level.p_k;
    for (const double a : level.activation_similarity) EXPECT_NEAR(a, 1.0, 1e-9) << level.p_k;
  }
}

TEST(RoutingAnalysisTest, ReproducibleFromTheSeed) {
  auto request = small_routing();
  request.p_k = {0.25};
  const auto a = run_routing_analysis(request);
  const auto b = run_routing_analysis(request);
  EXPECT_EQ(a.input_similarity, b.input_similarity);
  EXPECT_EQ(a.levels[0].overlap, b.levels[0].overlap);
  EXPECT_EQ(a.levels[0].activation_similarity, b.levels[0].activation_similarity);
  request.seed = 8;
  const auto c = run_routing_analysis(request);
  EXPECT_NE(a.input_similarity, c.input_similarity);
  EXPECT_NE(a.levels[0].overlap, c.levels[0].overlap);
}

TEST(RoutingAnalysisTest, ReportsProgressPerNetwork) {
  auto request = small_routing();
  std::vector<int> seen;
  request.progress = [&](int done, int total) {
    EXPECT_EQ(total, 8);
    seen.push_back(done);
  };
  run_routing_analysis(request);
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(RoutingAnalysisTest, RejectsBadRequests) {
  auto request = small_routing();
  request.p_k = {0.5, 1.5};
  EXPECT_THROW(run_routing_analysis(request), AnalysisError);
  request.p_k = {0.0};
  EXPECT_THROW(run_routing_analysis(request), AnalysisError);
  request.p_k = {0.01};  // keeps floor(0.4) = 0 of 40 units
  EXPECT_THROW(run_routing_analysis(request), AnalysisError);
  request = small_routing();
  request.pairs = 0;
  EXPECT_THROW(run_routing_analysis(request), AnalysisError);
}

UtilizationAnalysisRequest small_utilization() {
  UtilizationAnalysisRequest r;
  r.dataset = "synthetic_clusters";  // generated: 1000 training examples of 10 features
  r.models = 4;
  r.min_width = 10;
  r.max_width = 30;
  r.seed = 3;
  r.histogram_bins = 10;
  return r;
}

TEST(UtilizationAnalysisTest, CountsUnitsAndUtilisation) {
  const auto result = run_utilization_analysis(small_utilization());
  EXPECT_EQ(result.examples, 1000);
  ASSERT_EQ(result.models.size(), 4u);
  std::int64_t units = 0, never = 0, models_with_dead = 0;
  for (const auto& m : result.models) {
    EXPECT_GE(m.width, 10);
    EXPECT_LE(m.width, 30);
    EXPECT_GT(m.p_k, 0.0);
    EXPECT_LE(m.p_k, 0.95 + 1e-12);
    EXPECT_EQ(m.kept, 3 * models::kept_units(m.p_k, m.width));  // over the 3 hidden layers
    EXPECT_GE(m.kept, 3);
    EXPECT_EQ(m.units, 3 * m.width);  // 4 linear layers: 3 hidden
    // Every example turns on exactly `kept` units over the hidden layers.
    EXPECT_NEAR(m.mean_utilization, static_cast<double>(m.kept) / m.units, 1e-12);
    EXPECT_LE(m.min_utilization, m.mean_utilization);
    EXPECT_GE(m.max_utilization, m.mean_utilization);
    EXPECT_EQ(m.never_active > 0, m.min_utilization == 0.0);
    units += m.units;
    never += m.never_active;
    models_with_dead += m.never_active > 0 ? 1 : 0;
  }
  EXPECT_EQ(result.units, units);
  EXPECT_EQ(result.never_active, never);
  EXPECT_DOUBLE_EQ(result.never_active_percent, 100.0 * never / units);
  EXPECT_DOUBLE_EQ(result.models_with_never_active_percent, 100.0 * models_with_dead / 4);
  ASSERT_EQ(result.histogram.size(), 10u);
  EXPECT_EQ(std::accumulate(result.histogram.begin(), result.histogram.end(), std::int64_t{0}),
            units);
  EXPECT_GE(result.histogram[0], never);  // never-active units are in the first bin
}

// Fig. 3's readings: N_l drawn per hidden layer, and the examples of the test split or of both.
TEST(UtilizationAnalysisTest, PerLayerWidthsAndTheTestSplit) {
  auto request = small_utilization();
  request.width_per_layer = true;
  request.examples_from = "test";
  const auto result = run_utilization_analysis(request);
  EXPECT_EQ(result.examples, 250);  // synthetic_clusters: a quarter as many test examples
  bool some_layers_differ = false;
  for (const auto& m : result.models) {
    EXPECT_GE(m.units, 30);
    EXPECT_LE(m.units, 90);
    some_layers_differ = some_layers_differ || m.units != 3 * m.width;
    EXPECT_NEAR(m.mean_utilization, static_cast<double>(m.kept) / m.units, 1e-12);
  }
  EXPECT_TRUE(some_layers_differ);  // 4 models x 3 widths in 10..30: equal ones would be chance
  request.examples_from = "all";
  EXPECT_EQ(run_utilization_analysis(request).examples, 1250);
  request.examples_from = "validation";
  EXPECT_THROW(run_utilization_analysis(request), AnalysisError);
}

// Standardised features route differently (the same networks, other masks) but every example
// still turns on `kept` units.
TEST(UtilizationAnalysisTest, StandardisedFeaturesChangeTheMasksNotTheCounts) {
  auto request = small_utilization();
  const auto plain = run_utilization_analysis(request);
  request.standardize_features = true;
  const auto standardized = run_utilization_analysis(request);
  ASSERT_EQ(standardized.models.size(), plain.models.size());
  bool some_differ = false;
  for (std::size_t i = 0; i < plain.models.size(); ++i) {
    EXPECT_EQ(standardized.models[i].units, plain.models[i].units);
    EXPECT_EQ(standardized.models[i].kept, plain.models[i].kept);
    some_differ = some_differ ||
                  standardized.models[i].min_utilization != plain.models[i].min_utilization ||
                  standardized.models[i].max_utilization != plain.models[i].max_utilization;
  }
  EXPECT_TRUE(some_differ);
}

TEST(UtilizationAnalysisTest, ExamplesLimitAndReproducibility) {
  auto request = small_utilization();
  request.examples = 100;
  const auto a = run_utilization_analysis(request);
  const auto b = run_utilization_analysis(request);
  EXPECT_EQ(a.examples, 100);
  EXPECT_EQ(a.histogram, b.histogram);
  for (std::size_t i = 0; i < a.models.size(); ++i) {
    EXPECT_EQ(a.models[i].width, b.models[i].width);
    EXPECT_EQ(a.models[i].p_k, b.models[i].p_k);
    EXPECT_EQ(a.models[i].min_utilization, b.models[i].min_utilization);
  }
  request.examples = 5000;  // more than the file has
  EXPECT_THROW(run_utilization_analysis(request), AnalysisError);
}

TEST(UtilizationAnalysisTest, UnknownDatasetIsADatasetError) {
  auto request = small_utilization();
  request.dataset = "no_such_set";
  EXPECT_THROW(run_utilization_analysis(request), datasets::DatasetError);
}

}  // namespace
}  // namespace comet::engine
