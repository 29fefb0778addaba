// comet plot grid | curves | bars: in-process through run_guarded (exit codes, messages, files)
// and once through the built binary.

#include "comet/cli/plot_command.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "figure_fixture.h"
#include "file_text.h"
#include "guarded_command.h"
#include "temp_dir.h"
#include "test_paths.h"

#include "comet/cli/error_boundary.h"

namespace comet::cli {
namespace {

namespace fs = std::filesystem;
using comet::testing::TempDir;

using comet::testing::slurp;

using Result = comet::testing::CommandResult;
using comet::testing::guarded;

class PlotCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { comet::testing::write_figure_fixture(db_); }
  PlotOutputParams common(const std::string& sweep, const std::string& output) const {
    PlotOutputParams params;
    params.db = db_;
    params.sweep = sweep;
    params.output = dir_ / output;
    return params;
  }
  // Everything in the folder except the fixture database (and its WAL files).
  std::vector<std::string> written() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_.path())) {
      const auto name = entry.path().filename().string();
      if (name.rfind("fixture.db", 0) != 0) names.push_back(name);
    }
    return names;
  }
  TempDir dir_;
  fs::path db_ = dir_ / "fixture.db";
};

TEST_F(PlotCommandTest, GridWritesAPngAndSaysSo) {
  PlotGridParams params;
  params.common = common("grid", "grid.png");
  const auto result = guarded([&](std::ostream& out) { return plot_grid_command(params, out); });
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("wrote " + (dir_ / "grid.png").string()), std::string::npos)
      << result.out;
  EXPECT_EQ(slurp(dir_ / "grid.png").substr(0, 4), "\x89PNG");
  EXPECT_EQ(written(), std::vector<std::string>{"grid.png"});
}

TEST_F(PlotCommandTest, ScriptFolderRerunsToTheSameKindOfFigure) {
  PlotGridParams params;
  params.common = common("grid", "grid.pdf");
  params.common.script_dir = dir_ / "restyle";
  ASSERT_EQ(guarded([&](std::ostream& out) { return plot_grid_command(params, out); }).exit_code,
            0);
  EXPECT_TRUE(fs::exists(dir_ / "restyle" / "grid_r2_c2_s2.dat"));
  const std::string rerun =
      "cd '" + (dir_ / "restyle").string() + "' && gnuplot figure.gp 2>/dev/null";
  ASSERT_EQ(std::system(rerun.c_str()), 0);
  EXPECT_EQ(slurp(dir_ / "restyle" / "grid.pdf").substr(0, 4), "%PDF");
}

TEST_F(PlotCommandTest, BadExtensionUnknownMetricAndSweepExitTwoAndWriteNothing) {
  PlotGridParams params;
  params.common = common("grid", "grid.gif");
  params.common.script_dir = dir_ / "s";
  auto result = guarded([&](std::ostream& out) { return plot_grid_command(params, out); });
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("'.gif'; use .pdf, .png or .svg"), std::string::npos) << result.err;

  params.common = common("grid", "grid.png");
  params.common.metric = "test_f1";
  result = guarded([&](std::ostream& out) { return plot_grid_command(params, out); });
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("unknown metric 'test_f1'; allowed: val_acc"), std::string::npos)
      << result.err;

  params.common = common("nosuch", "grid.png");
  result = guarded([&](std::ostream& out) { return plot_grid_command(params, out); });
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("no sweep 'nosuch'"), std::string::npos) << result.err;

  params.common = common("reg", "grid.png");
  result = guarded([&](std::ostream& out) { return plot_grid_command(params, out); });
  EXPECT_EQ(result.exit_code, 2);  // a regression sweep has no accuracy
  EXPECT_NE(result.err.find("recorded val_acc; they recorded: train_loss, val_loss"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(written().empty());
}

TEST_F(PlotCommandTest, MissingDatabaseExitsThree) {
  PlotGridParams params;
  params.common = common("grid", "grid.png");
  params.common.db = dir_ / "absent.db";
  const auto result = guarded([&](std::ostream& out) { return plot_grid_command(params, out); });
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.err.find("absent.db"), std::string::npos) << result.err;
  EXPECT_TRUE(written().empty());
}

TEST_F(PlotCommandTest, MissingGnuplotExitsThreeNamingTheCommand) {
  PlotBarsParams params;
  params.common = common("grid", "bars.svg");
  params.common.gnuplot = "no-gnuplot-here";
  const auto result = guarded([&](std::ostream& out) { return plot_bars_command(params, out); });
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.err.find("cannot run `no-gnuplot-here figure.gp`"), std::string::npos)
      << result.err;
  EXPECT_TRUE(written().empty());
}

TEST_F(PlotCommandTest, CurvesWhereMatchesQuotesAndSqlTextLiterally) {
  PlotCurvesParams params;
  params.common = common("quoted", "quoted.svg");
  params.common.script_dir = dir_ / "s";
  params.where = {"note=" + comet::testing::kHostileNote};
  auto result = guarded([&](std::ostream& out) { return plot_curves_command(params, out); });
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(slurp(dir_ / "quoted.svg").find("<svg"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "s" / "curve_1.dat"));
  EXPECT_FALSE(fs::exists(dir_ / "s" / "curve_2.dat"));  // "plain" was not selected

  params.common = common("grid", "none.svg");
  params.where = {"model=comet' OR '1'='1"};
  result = guarded([&](std::ostream& out) { return plot_curves_command(params, out); });
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("model has: comet, standard"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(dir_ / "none.svg"));

  params.where = {"model"};
  result = guarded([&](std::ostream& out) { return plot_curves_command(params, out); });
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("is not key=value"), std::string::npos) << result.err;
}

TEST_F(PlotCommandTest, BarsInEveryAggregateAndABadOne) {
  PlotBarsParams params;
  params.common = common("grid", "bars.pdf");
  params.aggregate = "final";
  params.common.metric = "val_loss";
  ASSERT_EQ(guarded([&](std::ostream& out) { return plot_bars_command(params, out); }).exit_code,
            0);
  EXPECT_EQ(slurp(dir_ / "bars.pdf").substr(0, 4), "%PDF");
  params.aggregate = "median";
  const auto result = guarded([&](std::ostream& out) { return plot_bars_command(params, out); });
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("'median'"), std::string::npos) << result.err;
}

TEST_F(PlotCommandTest, BinaryDrawsTheGridFigure) {
  const auto out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
  const std::string command = "cd '" + dir_.path().string() + "' && '" +
                              comet::testing::kCometBinary +
                              "' plot grid grid --db fixture.db -o fig.pdf --metric train_acc "
                              "--script gp >stdout.txt 2>stderr.txt";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << slurp(err);
  EXPECT_NE(slurp(out).find("wrote fig.pdf"), std::string::npos) << slurp(out);
  EXPECT_EQ(slurp(dir_ / "fig.pdf").substr(0, 4), "%PDF");
  EXPECT_GT(fs::file_size(dir_ / "fig.pdf"), 5000u);
  EXPECT_TRUE(fs::exists(dir_ / "gp" / "figure.gp"));

  const std::string bad = "cd '" + dir_.path().string() + "' && '" + comet::testing::kCometBinary +
                          "' plot grid grid --db fixture.db -o fig.bmp 2>stderr.txt";
  const int bad_status = std::system(bad.c_str());
  EXPECT_EQ(WEXITSTATUS(bad_status), 2);
  EXPECT_NE(slurp(err).find(".bmp"), std::string::npos);
}

}  // namespace
}  // namespace comet::cli
