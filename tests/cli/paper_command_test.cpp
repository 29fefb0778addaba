// comet paper list | FIG: in-process over a test-only registry entry (a 4-trial sweep on the
// MNIST fixture) and the binary over the real registry (list, and Fig. 34's cpu sweep shrunk by
// overrides), each in seconds.

#include "comet/cli/paper_command.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "comet_process.h"
#include "idx_fixture.h"
#include "temp_dir.h"
#include "test_paths.h"

#include "comet/cli/exit_codes.h"
#include "comet/cli/usage_error.h"
#include "comet/results/result_store.h"

namespace comet::cli {
namespace {

using testing::TempDir;

class PaperCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_mnist_fixture(dir_ / "data" / "mnist", 200, 20);
    std::filesystem::create_directories(dir_ / "repo" / "sweeps");
    std::ofstream(dir_ / "repo" / "sweeps" / "tiny.yaml")
        << "name: tiny\ndataset: mnist\nepochs: 2\nlr: 0.01\n"
           "grid:\n  model: [comet, standard]\n  width: [16, 32]\n  p_k: [0.5]\n";
    figures_ = {PaperFigure{"99",
                            "a tiny Fig. 4",
                            "comet wins",
                            FigureKind::grid,
                            "",
                            "sweeps/tiny.yaml",
                            {FigurePanel{}}}};
    params_.figure = "99";
    params_.db = dir_ / "p.db";
    params_.repo = dir_ / "repo";
    params_.out_dir = dir_ / "figures";
    params_.devices = "cpu";
    params_.data_root = dir_ / "data";
    params_.worker_executable = testing::kCometBinary;
  }
  TempDir dir_;
  std::vector<PaperFigure> figures_;
  PaperFigureParams params_;
};

TEST_F(PaperCommandTest, RunsTheSweepDrawsEveryFormatAndResumes) {
  std::ostringstream out, err;
  ASSERT_EQ(paper_figure_command(params_, out, err, figures_), kExitOk) << err.str();
  EXPECT_NE(err.str().find("4 trials, 4 to run, estimate unknown"), std::string::npos) << err.str();
  for (const char* name : {"fig99.pdf", "fig99.png", "fig99.svg"}) {
    EXPECT_GT(std::filesystem::file_size(dir_ / "figures" / name), 1000u) << name;
  }
  {
    auto store = results::ResultStore::open_read_only(params_.db);
    const auto trials = store.list_trials("tiny");
    ASSERT_EQ(trials.size(), 4u);
    for (const auto& trial : trials) EXPECT_EQ(trial.status, results::TrialStatus::done);
  }
  // Again: nothing to run, the figure drawn anew.
  std::filesystem::remove(dir_ / "figures" / "fig99.png");
  std::ostringstream again_out, again;
  ASSERT_EQ(paper_figure_command(params_, again_out, again, figures_), kExitOk);
  EXPECT_NE(again.str().find("4 trials, 0 to run, estimate done"), std::string::npos)
      << again.str();
  EXPECT_NE(again.str().find("0 ran"), std::string::npos) << again.str();
  EXPECT_TRUE(std::filesystem::exists(dir_ / "figures" / "fig99.png"));

  // The list estimates a longer run of the same shapes from the stored epoch seconds.
  std::ofstream(dir_ / "repo" / "sweeps" / "tiny.yaml", std::ios::app) << "  seed: [5]\n";
  PaperListParams list;
  list.db = params_.db;
  list.repo = params_.repo;
  list.format = OutputFormat::json;
  std::ostringstream listing;
  ASSERT_EQ(paper_list_command(list, listing, figures_), kExitOk);
  const auto rows = nlohmann::json::parse(listing.str());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["figure"], "99");
  EXPECT_EQ(rows[0]["trials"], 4);
  EXPECT_EQ(rows[0]["to run"], 4);  // seed 5: new ids, the same shapes
  const std::string estimate = rows[0]["estimate"];
  EXPECT_TRUE(estimate.size() > 2 && estimate.substr(estimate.size() - 2) == " s") << estimate;
}

// The report reads COMET's lead over standard per width from the database: the numbers are the
// trials' best validation accuracies (one seed, one p_k), the verdict follows from them.
TEST_F(PaperCommandTest, TheReportStatesClaimMeasurementAndVerdict) {
  std::ostringstream out, err;
  ASSERT_EQ(paper_figure_command(params_, out, err, figures_), kExitOk) << err.str();
  auto missing = figures_[0];
  missing.figure = "98";
  missing.cpu_sweep = "sweeps/none.yaml";
  figures_.push_back(missing);
  PaperReportParams report;
  report.db = params_.db;
  report.repo = params_.repo;
  report.output = dir_ / "report.md";
  std::ostringstream wrote;
  ASSERT_EQ(paper_report_command(report, wrote, figures_), kExitOk);
  std::ifstream file(dir_ / "report.md");
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::map<std::string, double> best;  // "comet/16" -> best val_acc
  auto store = results::ResultStore::open_read_only(params_.db);
  for (const auto& trial : store.list_trials("tiny")) {
    best[trial.config.text("model") + "/" + std::to_string(trial.config.integer("width"))] =
        *trial.best_val_acc;
  }
  for (const int width : {16, 32}) {
    const double comet = best.at("comet/" + std::to_string(width));
    const double standard = best.at("standard/" + std::to_string(width));
    EXPECT_NE(text.find(fmt::format("width {}: comet {:.4f}, standard {:.4f} ({:+.4f})", width,
                                    comet, standard, comet - standard)),
              std::string::npos)
        << text;
  }
  const double lead16 = best.at("comet/16") - best.at("standard/16");
  const double lead32 = best.at("comet/32") - best.at("standard/32");
  const bool agrees = lead32 > 0 && lead32 > lead16;
  EXPECT_NE(text.find(std::string("| 99 | comet wins | ")), std::string::npos) << text;
  EXPECT_NE(text.find(agrees ? "| **agrees** |" : "| **disagrees** |"), std::string::npos) << text;
  EXPECT_NE(text.find("| 98 | comet wins | no done trials (or analysis) in the database | **not "
                      "run** |"),
            std::string::npos)
      << text;
}

TEST_F(PaperCommandTest, AnUnknownFigureOrScaleIsAUsageError) {
  std::ostringstream out, err;
  params_.figure = "12";
  EXPECT_THROW(paper_figure_command(params_, out, err, figures_), UsageError);
  params_.figure = "99";
  params_.scale = "full";  // the test entry has no full sweep
  try {
    paper_figure_command(params_, out, err, figures_);
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "figure 99 has no --scale full sweep; allowed: --scale cpu");
  }
  params_.scale = "half";
  EXPECT_THROW(paper_figure_command(params_, out, err, figures_), UsageError);
  EXPECT_FALSE(std::filesystem::exists(params_.db));
  EXPECT_EQ(&find_paper_figure(paper_figures(), "fig4"), &find_paper_figure(paper_figures(), "4"));
}

// The binary: the real registry lists every figure with its cpu sweep's trial count. Without
// --repo, from a folder that has no sweeps/: the checkout above build/comet is found.
TEST_F(PaperCommandTest, TheBinaryListsTheFiguresAndDrawsOne) {
  ASSERT_FALSE(std::filesystem::exists("sweeps/paper"));
  testing::CometProcess list(
      {"paper", "list", "--db", (dir_ / "none.db").string(), "--format", "csv"});
  ASSERT_EQ(list.wait(), kExitOk) << list.err();
  for (const char* row : {"4,grid,cpu,sweeps/paper/fig4_fashion_mnist.yaml,116,116,unknown",
                          "11,grid,cpu,sweeps/paper/fig11_fashion_mnist.yaml,40,40",
                          "34,bars,cpu,sweeps/paper/fig34_fashion_mnist.yaml,40,40",
                          "2,analysis,cpu,comet analyze"}) {
    EXPECT_NE(list.out().find(row), std::string::npos) << row << "\n" << list.out();
  }
  // Fig. 34's cpu sweep, shrunk: two activations, one seed, width 16, one epoch on the fixture.
  testing::CometProcess draw({"paper", "34", "dataset=mnist", "width=16", "epochs=1",
                              "activation=[relu, tanh]", "seed=[0]", "--repo", testing::kSourceDir,
                              "--db", params_.db.string(), "--out", params_.out_dir.string(),
                              "--data-root", (dir_ / "data").string(), "--devices", "cpu"});
  ASSERT_EQ(draw.wait(), kExitOk) << draw.err();
  EXPECT_NE(draw.err().find("4 trials: 4 ran (4 done"), std::string::npos) << draw.err();
  for (const char* name : {"fig34.pdf", "fig34.png", "fig34.svg"}) {
    EXPECT_TRUE(std::filesystem::exists(params_.out_dir / name)) << name;
  }
}

}  // namespace
}  // namespace comet::cli
