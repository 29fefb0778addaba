// The figure layer: data files hold the numbers the figures show, gnuplot renders every format,
// --script folders rerun, and bad requests or a failing gnuplot leave nothing behind.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "figure_fixture.h"
#include "file_text.h"
#include "temp_dir.h"

#include "comet/results/figures.h"

namespace comet::results {
namespace {

namespace fs = std::filesystem;
using comet::testing::TempDir;

using comet::testing::slurp;

const std::string& data_file(const GnuplotJob& job, const std::string& name) {
  for (const auto& [file, contents] : job.data_files) {
    if (file == name) return contents;
  }
  throw std::runtime_error("no data file " + name);
}

// The numeric rows of a data file (comment lines skipped).
std::vector<std::vector<double>> rows_of(const std::string& contents) {
  std::vector<std::vector<double>> rows;
  std::istringstream lines(contents);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::vector<double> row;
    for (double value = 0; fields >> value;) row.push_back(value);
    rows.push_back(row);
  }
  return rows;
}

template <typename Action>
std::string figure_error_of(Action action) {
  try {
    action();
  } catch (const FigureError& error) {
    return error.what();
  }
  return "";
}

// True when the folder holds nothing but `keep` and its SQLite companions (-wal, -shm).
bool folder_is_empty_but(const fs::path& folder, const std::string& keep) {
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().filename().string().rfind(keep, 0) != 0) return false;
  }
  return true;
}

class FigureTest : public ::testing::Test {
 protected:
  void SetUp() override { comet::testing::write_figure_fixture(db_); }
  ResultStore store() const { return ResultStore::open_read_only(db_); }
  TempDir dir_;
  fs::path db_ = dir_ / "fixture.db";
};

TEST_F(FigureTest, GridBandsAreMinMaxAndMidpointOverSeedsPerEpoch) {
  const auto job = grid_figure(store(), GridFigureRequest{"grid"});
  EXPECT_EQ(job.data_files.size(), 8u);  // 2 p_k x 2 widths x 2 models
  // r1 c1 s1 = p_k 0.1, width 100, comet. Seed 0: .50 .62 .70, seed 1: .54 .60 .76.
  const std::vector<std::vector<double>> comet_small = {
      {1, 0.50, 0.54, 0.52, 2}, {2, 0.60, 0.62, 0.61, 2}, {3, 0.70, 0.76, 0.73, 2}};
  // r2 c2 s2 = p_k 0.5, width 500, standard (-0.1 + 0.05 + 0.02): .47 .59 .67 and .51 .57 .73.
  const std::vector<std::vector<double>> standard_large = {
      {1, 0.47, 0.51, 0.49, 2}, {2, 0.57, 0.59, 0.58, 2}, {3, 0.67, 0.73, 0.70, 2}};
  for (const auto& [name, expected] : std::map<std::string, std::vector<std::vector<double>>>{
           {"grid_r1_c1_s1.dat", comet_small}, {"grid_r2_c2_s2.dat", standard_large}}) {
    const auto rows = rows_of(data_file(job, name));
    ASSERT_EQ(rows.size(), expected.size()) << name;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      ASSERT_EQ(rows[r].size(), expected[r].size()) << name;
      for (std::size_t c = 0; c < rows[r].size(); ++c) {
        EXPECT_NEAR(rows[r][c], expected[r][c], 1e-12) << name << " row " << r << " col " << c;
      }
    }
  }
  EXPECT_NE(data_file(job, "grid_r1_c1_s1.dat").find("model=comet p_k=0.1 width=100"),
            std::string::npos);
  EXPECT_NE(job.script.find("set multiplot layout 2,2"), std::string::npos) << job.script;
  EXPECT_NE(job.script.find("set title \"p_k=0.5, width=100\""), std::string::npos);
  EXPECT_NE(job.script.find("title \"standard\""), std::string::npos);  // the shared legend
}

TEST_F(FigureTest, GridOtherMetricAndAxes) {
  // val_loss = 1 - acc; rows by model, columns by seed, colours by width: each band spans the
  // two trials (the two p_k) of its (model, seed, width).
  const auto job =
      grid_figure(store(), GridFigureRequest{"grid", "val_loss", "model", "seed", "width"});
  EXPECT_EQ(job.data_files.size(), 8u);
  // model comet, seed 0, width 100: p_k 0.1 gives .50 .62 .70, p_k 0.5 gives .52 .64 .72.
  const auto rows = rows_of(data_file(job, "grid_r1_c1_s1.dat"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NEAR(rows[0][1], 1 - 0.52, 1e-12);
  EXPECT_NEAR(rows[0][2], 1 - 0.50, 1e-12);
  EXPECT_NEAR(rows[2][3], 1 - 0.71, 1e-12);
}

TEST_F(FigureTest, ACellNoTrialReachedIsLeftBlank) {
  // A sweep of the grid's trials without the standard model at width 500 (same ids, so the
  // curves are shared): rows model, columns width leave the (standard, 500) panel empty.
  {
    auto writer = ResultStore::open(db_);
    std::vector<sweeps::TrialSpec> subset;
    for (const auto& row : writer.list_trials("grid")) {
      if (row.config.text("model") == "standard" && row.config.integer("width") == 500) continue;
      subset.push_back(sweeps::TrialSpec{row.id, row.config});
    }
    sweeps::SweepSpec spec;
    spec.name = "partial";
    writer.register_sweep(spec, subset);
  }
  const auto job =
      grid_figure(store(), GridFigureRequest{"partial", "val_acc", "model", "width", "p_k"});
  EXPECT_EQ(job.data_files.size(), 6u);  // 3 panels x 2 p_k
  EXPECT_NE(job.script.find("set multiplot next"), std::string::npos) << job.script;
  render_figure(job, RenderOptions{dir_ / "partial.png", std::nullopt, "gnuplot"});
  EXPECT_GT(fs::file_size(dir_ / "partial.png"), 2000u);
}

// The paper's Fig. 4 draws `standard` (which has no p_k) in every p_k row. With several grids a
// sweep gives it p_k's default only, a value no other model uses: it spans the rows.
TEST_F(FigureTest, ASeriesThatDoesNotVaryARowKeyIsDrawnInEveryRow) {
  {
    auto writer = ResultStore::open(db_);
    std::vector<sweeps::TrialSpec> trials;
    for (const auto& row : writer.list_trials("grid")) {
      if (row.config.text("model") == "comet" && row.config.integer("width") == 100) {
        trials.push_back(sweeps::TrialSpec{row.id, row.config});
      }
    }
    sweeps::TrialConfig standard = trials.at(0).config;
    standard.set("model", std::string("standard"));
    standard.set("p_k", 1.0);
    const auto plain = testing::figure_fixture_detail::trial_of(standard);
    trials.push_back(plain);
    sweeps::SweepSpec spec;
    spec.name = "spans";
    writer.register_sweep(spec, trials);
    testing::figure_fixture_detail::record_trial(
        writer, plain.id, {{{"val", "acc", 0.3}}, {{"val", "acc", 0.4}}, {{"val", "acc", 0.5}}});
  }
  const auto job =
      grid_figure(store(), GridFigureRequest{"spans", "val_acc", "p_k", "width", "model"});
  // Rows p_k 0.1 and 0.5 only (no row for standard's 1.0); standard (series 2) in both.
  EXPECT_EQ(job.data_files.size(), 4u);
  EXPECT_EQ(rows_of(data_file(job, "grid_r1_c1_s2.dat")).size(), 3u);
  EXPECT_EQ(rows_of(data_file(job, "grid_r2_c1_s2.dat")).size(), 3u);
  EXPECT_NEAR(rows_of(data_file(job, "grid_r2_c1_s2.dat"))[2][3], 0.5, 1e-12);
  EXPECT_EQ(job.script.find("p_k=1"), std::string::npos) << job.script;
}

TEST_F(FigureTest, EveryFormatRendersWithItsMagicBytes) {
  const auto job = grid_figure(store(), GridFigureRequest{"grid"});
  const std::map<std::string, std::vector<std::string>> magic = {
      {"grid.pdf", {"%PDF"}}, {"grid.png", {"\x89PNG"}}, {"grid.svg", {"<svg", "<?xml"}}};
  for (const auto& [name, prefixes] : magic) {
    const auto output = dir_ / name;
    render_figure(job, RenderOptions{output, std::nullopt, "gnuplot"});
    ASSERT_TRUE(fs::exists(output)) << name;
    EXPECT_GT(fs::file_size(output), 2000u) << name;
    const std::string head = slurp(output).substr(0, 8);
    bool matched = false;
    for (const auto& prefix : prefixes) matched = matched || head.rfind(prefix, 0) == 0;
    EXPECT_TRUE(matched) << name << " starts with " << head;
  }
  // The temporary folders beside the output are gone.
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".comet-plot-"), std::string::npos);
  }
}

TEST_F(FigureTest, RelativeOutputPathRendersInTheCurrentFolder) {
  const auto job = grid_figure(store(), GridFigureRequest{"grid"});
  const auto previous = fs::current_path();
  fs::current_path(dir_.path());
  try {
    render_figure(job, RenderOptions{"relative.png", fs::path("rel-scripts"), "gnuplot"});
  } catch (...) {
    fs::current_path(previous);
    throw;
  }
  fs::current_path(previous);
  EXPECT_EQ(slurp(dir_ / "relative.png").substr(0, 4), "\x89PNG");
  EXPECT_TRUE(fs::exists(dir_ / "rel-scripts" / "figure.gp"));
}

TEST_F(FigureTest, ScriptFolderHoldsScriptAndDataAndRerunsWithGnuplot) {
  const auto job = grid_figure(store(), GridFigureRequest{"grid"});
  const auto scripts = dir_ / "scripts";
  render_figure(job, RenderOptions{dir_ / "grid.png", scripts, "gnuplot"});
  ASSERT_TRUE(fs::exists(scripts / "figure.gp"));
  for (const auto& [name, contents] : job.data_files) {
    EXPECT_EQ(slurp(scripts / name), contents) << name;
  }
  EXPECT_FALSE(fs::exists(scripts / "grid.png"));
  const std::string rerun = "cd '" + scripts.string() + "' && gnuplot figure.gp 2>/dev/null";
  ASSERT_EQ(std::system(rerun.c_str()), 0);
  ASSERT_TRUE(fs::exists(scripts / "grid.png"));
  EXPECT_EQ(slurp(scripts / "grid.png").substr(0, 4), "\x89PNG");
}

TEST_F(FigureTest, BadExtensionIsRefusedAndWritesNothing) {
  const auto job = grid_figure(store(), GridFigureRequest{"grid"});
  const auto message = figure_error_of([&] {
    render_figure(job, RenderOptions{dir_ / "grid.jpg", dir_ / "s", "gnuplot"});
  });
  EXPECT_NE(message.find("'.jpg'"), std::string::npos) << message;
  EXPECT_NE(message.find(".pdf, .png or .svg"), std::string::npos) << message;
  EXPECT_TRUE(folder_is_empty_but(dir_.path(), "fixture.db"));
  EXPECT_EQ(figure_format_of("A.PDF"), FigureFormat::pdf);
}

TEST_F(FigureTest, UnknownMetricSweepAndKeyNameWhatExists) {
  auto message = figure_error_of([&] { grid_figure(store(), {"grid", "val_f1"}); });
  EXPECT_NE(message.find("'val_f1'"), std::string::npos) << message;
  EXPECT_NE(message.find("val_acc, val_loss, train_acc, train_loss"), std::string::npos);
  message = figure_error_of([&] { grid_figure(store(), {"nope"}); });
  EXPECT_NE(message.find("'nope'"), std::string::npos) << message;
  EXPECT_NE(message.find("grid, quoted, reg"), std::string::npos) << message;
  message = figure_error_of([&] {
    grid_figure(store(), GridFigureRequest{"grid", "val_acc", "lr", "width", "model"});
  });
  EXPECT_NE(message.find("'lr'"), std::string::npos) << message;
  EXPECT_NE(message.find("dataset, model, p_k, seed, width"), std::string::npos) << message;
}

TEST_F(FigureTest, MetricMissingFromTheTrialsNamesTheRecordedOnes) {
  const auto message = figure_error_of([&] { grid_figure(store(), {"reg", "val_acc"}); });
  EXPECT_NE(message.find("val_acc"), std::string::npos) << message;
  EXPECT_NE(message.find("train_loss, val_loss"), std::string::npos) << message;
}

TEST_F(FigureTest, MissingGnuplotNamesTheCommandAndWritesNothing) {
  const auto job = grid_figure(store(), GridFigureRequest{"grid"});
  try {
    render_figure(job, RenderOptions{dir_ / "grid.png", dir_ / "s", "gnuplot-not-installed"});
    FAIL() << "no GnuplotError";
  } catch (const GnuplotError& error) {
    EXPECT_NE(std::string(error.what()).find("gnuplot-not-installed figure.gp"), std::string::npos)
        << error.what();
  }
  EXPECT_TRUE(folder_is_empty_but(dir_.path(), "fixture.db"));
}

TEST_F(FigureTest, FailingGnuplotReportsItsStderrAndWritesNothing) {
  GnuplotJob broken;
  broken.script = "plot \"no-such-file.dat\" using 1:2\n";
  try {
    render_figure(broken, RenderOptions{dir_ / "broken.svg", std::nullopt, "gnuplot"});
    FAIL() << "no GnuplotError";
  } catch (const GnuplotError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("`gnuplot figure.gp` exited with"), std::string::npos) << message;
    EXPECT_NE(message.find("no-such-file.dat"), std::string::npos) << message;  // gnuplot's words
  }
  EXPECT_TRUE(folder_is_empty_but(dir_.path(), "fixture.db"));
}

TEST(GnuplotString, EscapesQuotesBackslashesAndNewlines) {
  EXPECT_EQ(gnuplot_string(R"(a "b" \c)"), R"("a \"b\" \\c")");
  EXPECT_EQ(gnuplot_string("two\nlines"), R"("two\nlines")");
  EXPECT_EQ(gnuplot_string("p_k=0.1 @x"), "\"p_k=0.1 @x\"");
}

TEST_F(FigureTest, CurvesWhereMatchesHostileTextLiterally) {
  const auto job = curves_figure(
      store(), CurvesFigureRequest{"quoted", "val_acc", {{"note", comet::testing::kHostileNote}}});
  ASSERT_EQ(job.data_files.size(), 1u);  // only the hostile trial, not "plain"
  const auto rows = rows_of(job.data_files[0].second);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_NEAR(rows[0][1], 0.3, 1e-12);
  EXPECT_NEAR(rows[1][1], 0.5, 1e-12);
  // And gnuplot accepts the escaped title built from it.
  render_figure(job, RenderOptions{dir_ / "quoted.svg", std::nullopt, "gnuplot"});
  EXPECT_TRUE(fs::exists(dir_ / "quoted.svg"));
  // A value that differs only in quoting selects nothing.
  const auto message = figure_error_of([&] {
    curves_figure(store(), CurvesFigureRequest{"quoted", "val_acc", {{"note", "it's"}}});
  });
  EXPECT_NE(message.find("note has: it's \"x\""), std::string::npos) << message;
}

TEST_F(FigureTest, CurvesLabelLinesWithTheVaryingKeys) {
  const auto job = curves_figure(
      store(), CurvesFigureRequest{"grid", "val_acc", {{"model", "comet"}, {"width", "100"}}});
  EXPECT_EQ(job.data_files.size(), 4u);  // 2 p_k x 2 seeds
  EXPECT_NE(job.script.find("title \"p_k=0.5, seed=1\""), std::string::npos) << job.script;
  const auto message = figure_error_of([&] {
    curves_figure(store(), CurvesFigureRequest{"grid", "val_acc", {{"width", "7"}}});
  });
  EXPECT_NE(message.find("width has: 100, 500"), std::string::npos) << message;
}

TEST_F(FigureTest, BarsAreMeanMinMaxOfEachTrialsBestOrFinal) {
  // Best val_acc per comet trial is its epoch 3: .70 .76 (w100 p.1), .72 .78 (w100 p.5),
  // .75 .81 (w500 p.1), .77 .83 (w500 p.5): mean .765, min .70, max .83; standard is 0.1 lower.
  auto job = bars_figure(store(), BarsFigureRequest{"grid"});
  auto rows = rows_of(data_file(job, "bars.dat"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_NEAR(rows[0][1], 0.765, 1e-12);
  EXPECT_NEAR(rows[0][2], 0.70, 1e-12);
  EXPECT_NEAR(rows[0][3], 0.83, 1e-12);
  EXPECT_EQ(rows[0][5], 8);
  EXPECT_NEAR(rows[1][1], 0.665, 1e-12);
  EXPECT_NE(job.script.find(R"x("comet\n(1,000-5,000 params)" 1)x"), std::string::npos)
      << job.script;

  // Final train_loss (1.1 - acc at epoch 3) of the width-100 trials: comet .40 .34 .38 .32.
  job = bars_figure(
      store(),
      BarsFigureRequest{"grid", "train_loss", BarAggregate::final, "model", {{"width", "100"}}});
  rows = rows_of(data_file(job, "bars.dat"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_NEAR(rows[0][1], 0.36, 1e-12);
  EXPECT_NEAR(rows[0][2], 0.32, 1e-12);
  EXPECT_NEAR(rows[0][3], 0.40, 1e-12);
  EXPECT_NE(job.script.find(R"x("standard\n(1,007 params)" 2)x"), std::string::npos) << job.script;
  render_figure(job, RenderOptions{dir_ / "bars.svg", std::nullopt, "gnuplot"});
  EXPECT_GT(fs::file_size(dir_ / "bars.svg"), 2000u);
}

// --group width: one cluster per width (the paper's model sizes), a bar per model in each, a
// gap between clusters; the same per-trial aggregation as above.
TEST_F(FigureTest, GroupedBarsClusterByTheGroupKey) {
  BarsFigureRequest request{"grid"};
  request.group = "width";
  const auto job = bars_figure(store(), request);
  const auto rows = rows_of(data_file(job, "bars.dat"));
  ASSERT_EQ(rows.size(), 4u);
  // x: comet and standard at width 100 (1, 2), a gap (3), then width 500 (4, 5).
  EXPECT_EQ(rows[0][0], 1);
  EXPECT_EQ(rows[1][0], 2);
  EXPECT_EQ(rows[2][0], 4);
  EXPECT_EQ(rows[3][0], 5);
  EXPECT_NEAR(rows[0][1], 0.74, 1e-12);  // comet, width 100: .70 .76 .72 .78
  EXPECT_NEAR(rows[2][1], 0.79, 1e-12);  // comet, width 500: .75 .81 .77 .83
  EXPECT_NEAR(rows[1][1], 0.64, 1e-12);  // standard is 0.1 lower
  EXPECT_EQ(rows[0][5], 4);              // 2 p_k x 2 seeds
  EXPECT_EQ(rows[0][6], rows[2][6]);     // a model keeps its colour across clusters
  EXPECT_NE(rows[0][6], rows[1][6]);
  EXPECT_NE(job.script.find(R"x("width 500\ncomet\n)x"), std::string::npos) << job.script;
  EXPECT_NE(job.script.find("set xrange [0.4:5.6]"), std::string::npos) << job.script;
  render_figure(job, RenderOptions{dir_ / "grouped.svg", std::nullopt, "gnuplot"});
  EXPECT_GT(fs::file_size(dir_ / "grouped.svg"), 2000u);
}

}  // namespace
}  // namespace comet::results
