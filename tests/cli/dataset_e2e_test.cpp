// `comet run` over every dataset reader: real-format fixture files in a data root, comet and
// standard for one epoch each, every trial done (issue "Datasets", acceptance).

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>

#include "cifar_fixture.h"
#include "idx_fixture.h"
#include "jpeg_fixture.h"
#include "mat_fixture.h"
#include "temp_dir.h"
#include "test_paths.h"

#include "comet/results/result_store.h"

namespace comet::cli {
namespace {

using testing::TempDir;

int run_comet(const TempDir& dir, const std::string& args) {
  const std::string command = "cd '" + dir.path().string() + "' && '" + testing::kCometBinary +
                              "' " + args + " >'" + (dir / "out.txt").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string output_of(const TempDir& dir) {
  std::ifstream in(dir / "out.txt");
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_data_root(const std::filesystem::path& root) {
  testing::write_mnist_fixture(root / "mnist", 200, 40);
  testing::write_cifar10_fixture(root / "cifar10", 40);  // 5 x 40 training records
  testing::write_cifar100_fixture(root / "cifar100", 200, 40);
  std::filesystem::create_directories(root / "svhn");
  std::vector<double> train_labels, test_labels;
  for (int i = 0; i < 200; ++i) train_labels.push_back(1 + i % 10);  // 10 is the digit 0
  for (int i = 0; i < 40; ++i) test_labels.push_back(1 + i % 10);
  testing::write_svhn_file(root / "svhn" / "train_32x32.mat", train_labels);
  testing::write_svhn_file(root / "svhn" / "test_32x32.mat", test_labels);
  testing::write_tiny_imagenet_fixture(root / "tiny_imagenet" / "tiny-imagenet-200", 3, 20, 12);
  std::filesystem::create_directories(root / "sarcos");
  testing::write_sarcos_file(root / "sarcos" / "sarcos_inv.mat", "sarcos_inv", 200, 28, 0.0);
  testing::write_sarcos_file(root / "sarcos" / "sarcos_inv_test.mat", "sarcos_inv_test", 40, 28,
                             0.5);
}

void expect_all_done(const TempDir& dir, std::size_t expected) {
  auto store = results::ResultStore::open_read_only(dir / "comet.db");
  auto rows = store.list_trials();
  EXPECT_EQ(rows.size(), expected);
  for (const auto& row : rows) {
    EXPECT_EQ(row.status, results::TrialStatus::done)
        << row.config.text("dataset") << " " << row.config.text("model") << ": " << row.last_error;
    EXPECT_EQ(row.epochs_done, 1) << row.config.text("dataset");
  }
}

TEST(DatasetsEndToEnd, CometAndStandardTrainOnEveryReaderFromRealFormatFiles) {
  TempDir dir;
  write_data_root(dir / "data");
  {
    std::ofstream sweep(dir / "images.yaml");
    sweep << "name: images\nepochs: 1\nlr: 0.01\noptimizer: adam\nwidth: 16\np_k: 0.5\n"
             "batch_size: 16\ngrid:\n"
             "  dataset: [mnist, cifar10, cifar100, svhn, tiny_imagenet, synthetic_clusters]\n"
             "  model: [comet, standard]\n";
  }
  const int code = run_comet(dir, "run images.yaml --data-root data");
  ASSERT_EQ(code, 0) << output_of(dir);
  expect_all_done(dir, 12);
}

TEST(DatasetsEndToEnd, RegressionDatasetsTrainWithMse) {
  TempDir dir;
  write_data_root(dir / "data");
  std::filesystem::create_directories(dir / "data" / "csv");
  {
    std::ofstream csv(dir / "data" / "csv" / "table.csv");
    csv << "u,v,target\n";
    for (int i = 0; i < 100; ++i) csv << i % 9 << "," << i % 4 << "," << 0.1 * i << "\n";
    std::ofstream sweep(dir / "regression.yaml");
    sweep << "name: regression\nepochs: 1\nlr: 0.001\noptimizer: adam\nwidth: 16\np_k: 0.5\n"
             "task: regression\ncsv.file: table.csv\ncsv.target: target\ngrid:\n"
             "  dataset: [sarcos, csv]\n  model: [comet, standard]\n";
  }
  const int code = run_comet(dir, "run regression.yaml --data-root data");
  ASSERT_EQ(code, 0) << output_of(dir);
  expect_all_done(dir, 4);
  // Losses only: no accuracy for real-valued targets.
  EXPECT_EQ(output_of(dir).find("train_acc"), std::string::npos);

  // A classification sweep on SARCOS is refused before anything is written.
  std::ofstream(dir / "wrong.yaml") << "name: wrong\nepochs: 1\nlr: 0.001\nwidth: 16\n"
                                       "dataset: sarcos\nmodel: standard\n";
  EXPECT_EQ(run_comet(dir, "run wrong.yaml --data-root data --db wrong.db"), 2);
  EXPECT_NE(output_of(dir).find("task: regression"), std::string::npos) << output_of(dir);
  EXPECT_FALSE(std::filesystem::exists(dir / "wrong.db"));
}

}  // namespace
}  // namespace comet::cli
