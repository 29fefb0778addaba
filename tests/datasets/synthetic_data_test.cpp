#include "synthetic_data.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace comet::datasets {
namespace {

RawData clusters(std::map<std::string, std::string> options) {
  return read_synthetic_clusters({"synthetic_clusters", {}, std::move(options)});
}

// Per-class mean of each feature: [classes][dims].
std::vector<std::vector<double>> class_means(const RawTable& t, std::int64_t classes) {
  std::vector<std::vector<double>> sum(classes, std::vector<double>(t.cols, 0.0));
  std::vector<double> n(classes, 0.0);
  for (std::int64_t i = 0; i < t.rows; ++i) {
    n[t.labels[i]] += 1;
    for (std::int64_t d = 0; d < t.cols; ++d) sum[t.labels[i]][d] += t.floats[i * t.cols + d];
  }
  for (std::int64_t c = 0; c < classes; ++c) {
    for (auto& s : sum[c]) s /= n[c];
  }
  return sum;
}

TEST(SyntheticClusters, DefaultsShapeAndRoundRobinLabels) {
  const auto data = clusters({});
  EXPECT_EQ(data.task, Task::classification);
  EXPECT_EQ(data.outputs, 2);
  EXPECT_EQ(data.train.rows, 1000);
  EXPECT_EQ(data.train.cols, 10);
  EXPECT_EQ(data.train.floats.size(), 10000u);
  EXPECT_TRUE(data.train.bytes.empty());
  EXPECT_EQ(data.test.rows, 250);
  EXPECT_EQ(data.test.floats.size(), 2500u);
  for (std::int64_t i = 0; i < 6; ++i) EXPECT_EQ(data.train.labels[i], i % 2);
  EXPECT_EQ(data.test.labels[249], 1);
  EXPECT_TRUE(data.normalisation.from_training_split);
  EXPECT_TRUE(data.files.empty());
}

TEST(SyntheticClusters, DeterministicPerSeed) {
  const auto a = clusters({{"seed", "7"}, {"classes", "3"}});
  const auto b = clusters({{"seed", "7"}, {"classes", "3"}});
  const auto c = clusters({{"seed", "8"}, {"classes", "3"}});
  EXPECT_EQ(a.train.floats, b.train.floats);
  EXPECT_EQ(a.test.floats, b.test.floats);
  EXPECT_EQ(a.train.labels, b.train.labels);
  EXPECT_NE(a.train.floats, c.train.floats);
  EXPECT_NE(a.test.floats, c.test.floats);
  EXPECT_NE(a.train.floats, std::vector<float>(a.train.floats.size(), a.train.floats[0]));
  // Pinned: stored results depend on these draws, on every platform; a change here is a
  // breaking change of every synthetic trial.
  const auto d = clusters({});
  EXPECT_FLOAT_EQ(d.train.floats[0], 1.12800992f);
  EXPECT_FLOAT_EQ(d.train.floats[1], -2.08699298f);
  EXPECT_FLOAT_EQ(d.train.floats[10], -3.8851769f);
  EXPECT_FLOAT_EQ(d.test.floats[0], 3.95404291f);
}

TEST(SyntheticClusters, ClassesScatterByUnitNoiseAroundCentresAtTheSeparationScale) {
  const auto data =
      clusters({{"dims", "200"}, {"classes", "3"}, {"count", "6000"}, {"separation", "2"}});
  const auto train = class_means(data.train, 3), test = class_means(data.test, 3);
  double centre_square = 0, noise_square = 0;
  for (std::int64_t c = 0; c < 3; ++c) {
    for (std::int64_t d = 0; d < 200; ++d) {
      // Train and test draw fresh noise around the same centres.
      EXPECT_NEAR(train[c][d], test[c][d], 0.25);
      centre_square += train[c][d] * train[c][d];
    }
  }
  for (std::int64_t i = 0; i < data.train.rows; ++i) {
    for (std::int64_t d = 0; d < 200; ++d) {
      const double r = data.train.floats[i * 200 + d] - train[data.train.labels[i]][d];
      noise_square += r * r;
    }
  }
  // Centre coordinates ~ N(0, 2^2): mean square 4 (600 of them: within ~15%).
  EXPECT_NEAR(centre_square / 600, 4.0, 0.8);
  EXPECT_NEAR(std::sqrt(noise_square / (6000.0 * 200)), 1.0, 0.02);
}

TEST(SyntheticClusters, SeparationZeroPutsEveryClassOnTheOrigin) {
  const auto data =
      clusters({{"dims", "5"}, {"classes", "4"}, {"count", "8000"}, {"separation", "0"}});
  for (const auto& mean : class_means(data.train, 4)) {
    for (double m : mean) EXPECT_NEAR(m, 0.0, 0.1);
  }
}

TEST(SyntheticClusters, InvalidOptionsNameTheOptionAndWhatIsAllowed) {
  auto error_of = [](std::map<std::string, std::string> options) -> std::string {
    try {
      clusters(std::move(options));
    } catch (const DatasetError& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected a DatasetError";
    return "";
  };
  auto expect_contains = [](const std::string& text, const std::string& fragment) {
    EXPECT_NE(text.find(fragment), std::string::npos) << "'" << fragment << "' not in: " << text;
  };
  expect_contains(error_of({{"dims", "0"}}), "option 'dims' is '0'; allowed: an integer >= 1");
  expect_contains(error_of({{"classes", "-2"}}), "option 'classes' is '-2'");
  expect_contains(error_of({{"count", "1.5"}}), "option 'count' is '1.5'");
  expect_contains(error_of({{"count", "ten"}}), "option 'count' is 'ten'");
  expect_contains(error_of({{"separation", "-1"}}),
                  "option 'separation' is '-1'; allowed: a finite number >= 0");
  expect_contains(error_of({{"separation", "nan"}}), "option 'separation' is 'nan'");
  expect_contains(error_of({{"separation", "inf"}}), "option 'separation' is 'inf'");
  expect_contains(error_of({{"seed", "-3"}}), "option 'seed' is '-3'; allowed: an integer >= 0");
  expect_contains(error_of({{"dims", "100000"}, {"count", "100000"}}), "exceeds 2^31 values");
}

TEST(Section41Vectors, ComponentsAroundAnIntegerMeanWithStandardDeviationFive) {
  // Long vectors: the sample mean is within 5 / sqrt(20000) = 0.035 of mu (one sigma).
  const auto long_vectors = section41_vectors(20, 3, 20000);
  ASSERT_EQ(long_vectors.size(), 20u);
  for (const auto& v : long_vectors) {
    ASSERT_EQ(v.size(), 20000u);
    double sum = 0, square = 0;
    for (float x : v) sum += x;
    const double mean = sum / static_cast<double>(v.size());
    for (float x : v) square += (x - mean) * (x - mean);
    const double mu = std::round(mean);
    EXPECT_NEAR(mean, mu, 0.2);
    EXPECT_GE(mu, 0.0);
    EXPECT_LE(mu, 100.0);
    EXPECT_NEAR(std::sqrt(square / static_cast<double>(v.size())), 5.0, 0.15);
  }
}

TEST(Section41Vectors, MeansSpreadOverZeroToHundredAndSeedsDiffer) {
  const auto a = section41_vectors(300, 11);
  ASSERT_EQ(a.size(), 300u);
  double lowest = 1e9, highest = -1e9;
  for (const auto& v : a) {
    ASSERT_EQ(v.size(), 100u);  // the default length
    double sum = 0;
    for (float x : v) sum += x;
    lowest = std::min(lowest, sum / 100);
    highest = std::max(highest, sum / 100);
  }
  EXPECT_LT(lowest, 10.0);
  EXPECT_GT(highest, 90.0);
  EXPECT_EQ(section41_vectors(300, 11), a);
  const auto pinned = section41_vectors(2, 0);  // as the clusters' pinned values above
  EXPECT_FLOAT_EQ(pinned[0][0], 75.0081329f);
  EXPECT_FLOAT_EQ(pinned[0][1], 73.8296661f);
  EXPECT_FLOAT_EQ(pinned[1][0], 98.0784302f);
  EXPECT_NE(section41_vectors(300, 12), a);
  EXPECT_TRUE(section41_vectors(0, 1).empty());
  EXPECT_THROW(section41_vectors(-1, 1), DatasetError);
  EXPECT_THROW(section41_vectors(1, 1, 0), DatasetError);
}

}  // namespace
}  // namespace comet::datasets
