// Issue 19 item 5: a regression sweep's closing table, compare and plot read the validation MSE
// (val_loss, lower is better) unless asked for another metric.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "idx_fixture.h"
#include "query_tables.h"
#include "temp_dir.h"
#include "test_paths.h"

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/cli/plot_command.h"
#include "comet/results/comparison.h"
#include "comet/results/result_store.h"

namespace comet::cli {
namespace {

using testing::TempDir;

TEST(RegressionMetric, TheClosingTableCompareAndPlotReadValidationMse) {
  TempDir dir;
  testing::write_mnist_fixture(dir / "data" / "mnist", 200, 20);
  std::ofstream(dir / "sweep.yaml")
      << "name: reg\ndataset: mnist\ntask: regression\nepochs: 2\nlr: 0.05\nwidth: 16\n"
         "grid:\n  model: [comet, standard]\n  p_k: [0.5]\n  seed: [0, 1]\n";
  RunParams run;
  run.sweep_file = dir / "sweep.yaml";
  run.db = dir / "r.db";
  run.data_root = dir / "data";
  run.devices = "cpu";
  run.worker_executable = testing::kCometBinary;
  std::ostringstream out, err;
  ASSERT_EQ(run_command(run, out, err), kExitOk) << err.str();
  EXPECT_NE(out.str().find("best val_loss, MSE (mean ± std)"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("0.0000 ± 0.0000"), std::string::npos) << out.str();

  // The lowest validation loss of each trial, by hand from its curve.
  auto store = results::ResultStore::open_read_only(run.db);
  const auto trials = store.list_trials("reg");
  EXPECT_EQ(results::default_metric(trials), "val_loss");
  const auto series = store.metric_series("reg", "val", "loss");
  double comet_sum = 0;
  for (const auto& trial : trials) {
    if (trial.config.text("model") != "comet") continue;
    const auto& curve = series.at(trial.id);
    ASSERT_EQ(curve.size(), 2u);
    comet_sum += std::min(curve[0].second, curve[1].second);
  }

  CompareParams compare;
  compare.db = run.db;
  compare.sweep = "reg";
  compare.rows = "none";
  compare.format = OutputFormat::json;
  std::ostringstream json;
  ASSERT_EQ(compare_command(compare, json), kExitOk);
  const auto rows = nlohmann::json::parse(json.str());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["metric"], "val_loss");
  Comparison comparison = compare_sweep(store, compare);
  ASSERT_EQ(comparison.cells.size(), 2u);
  EXPECT_EQ(comparison.spec.metric, "loss");
  EXPECT_EQ(comparison.cells[0].by, "comet");
  EXPECT_EQ(comparison.cells[0].n, 2);
  EXPECT_NEAR(comparison.cells[0].mean, comet_sum / 2, 1e-12);
  compare.format = OutputFormat::table;
  std::ostringstream table;
  ASSERT_EQ(compare_command(compare, table), kExitOk);
  EXPECT_NE(table.str().find("best val_loss over seeds: mean ± std (n); * the lowest"),
            std::string::npos)
      << table.str();

  PlotCurvesParams plot;
  plot.common.db = run.db;
  plot.common.sweep = "reg";
  plot.common.output = dir / "curves.svg";
  plot.common.script_dir = dir / "script";
  std::ostringstream wrote;
  ASSERT_EQ(plot_curves_command(plot, wrote), kExitOk) << wrote.str();
  EXPECT_TRUE(std::filesystem::exists(dir / "curves.svg"));
  std::ifstream script(dir / "script" / "figure.gp");
  const std::string text((std::istreambuf_iterator<char>(script)),
                         std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("set ylabel \"val_loss\""), std::string::npos) << text;
}

TEST(RegressionMetric, LowerIsBetterIsAPropertyOfTheMetric) {
  for (const char* lower : {"loss", "mse", "perplexity", "ppl", "seconds"}) {
    EXPECT_TRUE(results::lower_is_better(lower)) << lower;
  }
  EXPECT_FALSE(results::lower_is_better("acc"));
  EXPECT_EQ(results::default_metric({}), "val_acc");
}

}  // namespace
}  // namespace comet::cli
