// load_dataset's own work over any reader: the split, the normalisation folded into one
// multiply-add per feature, regression targets, an absent test file, and option plumbing.

#include <gtest/gtest.h>

#include <fstream>

#include <torch/torch.h>

#include "temp_dir.h"

#include "comet/datasets/catalog.h"
#include "comet/datasets/dataset.h"

namespace comet::datasets {
namespace {

using testing::TempDir;

DatasetRequest request(const std::string& name, const std::filesystem::path& root,
                       std::map<std::string, std::string> options = {}) {
  DatasetRequest r;
  r.name = name;
  r.data_root = root;
  r.val_fraction = 0.2;
  r.split_seed = 1;
  r.options = std::move(options);
  return r;
}

TEST(DatasetAssembly, TrainingSplitStatisticsNormaliseTabularFeatures) {
  TempDir root;
  auto data = load_dataset(request("synthetic_clusters", root.path(),
                                   {{"dims", "5"}, {"classes", "3"}, {"count", "400"}}));
  EXPECT_EQ(data->info().task, Task::classification);
  EXPECT_EQ(data->info().input_dim, 5);
  EXPECT_EQ(data->info().output_dim, 3);
  EXPECT_EQ(data->train().size() + data->validation().size(), 400);
  EXPECT_EQ(data->validation().size(), 80);
  EXPECT_EQ(data->test().size(), 100);
  EXPECT_EQ(data->train().features().scalar_type(), torch::kFloat32);
  // Fitted on the training split: there, every feature has mean 0 and deviation 1.
  auto x = data->prepare(data->train().features()).to(torch::kFloat64);
  EXPECT_LT(x.mean(0).abs().max().item<double>(), 1e-5);
  EXPECT_LT((x.std(0, /*unbiased=*/false) - 1).abs().max().item<double>(), 1e-5);
  // ... and not on the validation split, which only shares the constants.
  auto v = data->prepare(data->validation().features()).to(torch::kFloat64);
  EXPECT_GT(v.mean(0).abs().max().item<double>(), 1e-5);
  EXPECT_EQ(data->info().normalisation.find("training split") != std::string::npos, true)
      << data->info().normalisation;
}

TEST(DatasetAssembly, RegressionCsvHasFloatTargetsAndNoTestSplitWithoutATestFile) {
  TempDir root;
  std::filesystem::create_directories(root / "csv");
  {
    std::ofstream out(root / "csv" / "points.csv");
    out << "a,b,y\n";
    for (int i = 0; i < 50; ++i) out << i << "," << (i % 7) << "," << (2.5 * i - 1) << "\n";
  }
  auto data = load_dataset(request(
      "csv", root.path(), {{"file", "points.csv"}, {"target", "y"}, {"task", "regression"}}));
  EXPECT_EQ(data->info().task, Task::regression);
  EXPECT_EQ(data->info().input_dim, 2);
  EXPECT_EQ(data->info().output_dim, 1);
  EXPECT_EQ(data->test().size(), 0);
  const auto& tr = data->train();
  EXPECT_EQ(tr.targets().scalar_type(), torch::kFloat32);
  EXPECT_EQ(tr.targets().sizes(), (std::vector<std::int64_t>{40, 1}));
  for (std::int64_t row : {0, 17, 39}) {
    const auto id = tr.ids()[row].item<std::int64_t>();  // the CSV's data line, from 0
    EXPECT_FLOAT_EQ(tr.targets()[row][0].item<float>(), 2.5f * static_cast<float>(id) - 1);
    EXPECT_FLOAT_EQ(tr.features()[row][0].item<float>(), static_cast<float>(id));
  }
}

TEST(DatasetAssembly, OptionsAreDistinctCacheKeys) {
  TempDir root;
  DatasetCache cache;
  auto a = cache.get(request("synthetic_clusters", root.path(), {{"seed", "1"}}));
  auto b = cache.get(request("synthetic_clusters", root.path(), {{"seed", "1"}}));
  auto c = cache.get(request("synthetic_clusters", root.path(), {{"seed", "2"}}));
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(a.get(), c.get());
  EXPECT_FALSE(torch::equal(a->train().features(), c->train().features()));
}

}  // namespace
}  // namespace comet::datasets

namespace comet::datasets {
namespace {

// The registry (readers), the catalog (files, downloads) and the sweep schema name the same
// datasets in the same order.
TEST(DatasetAssembly, RegistryAndCatalogKnowTheSameDatasets) {
  std::vector<std::string> catalog;
  for (const auto& entry : builtin_catalog()) {
    if (entry.name != kGpt2BpeEntry) catalog.push_back(entry.name);  // tokenizer files
  }
  EXPECT_EQ(dataset_names(), catalog);
}

}  // namespace
}  // namespace comet::datasets
