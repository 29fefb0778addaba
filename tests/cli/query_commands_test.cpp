// comet ls sweeps, ls trials --where/--status, show, compare and export, in-process over a
// fixture database; every output format is parsed back.

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "temp_dir.h"

#include "comet/cli/commands.h"
#include "comet/cli/error_boundary.h"
#include "comet/cli/exit_codes.h"
#include "comet/results/result_store.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::cli {
namespace {

using testing::TempDir;

// 2 models x 2 seeds, 2 epochs; one comet trial failed, the rest done. val/acc = base + seed/10.
class QueryCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto spec = sweeps::parse_sweep_text(
        "name: q\ndataset: mnist\nepochs: 2\nlr: 0.1\nwidth: 8\n"
        "grid:\n  model: [comet, standard]\n  seed: [0, 1]\n",
        "q.yaml");
    trials_ = sweeps::expand_trials(spec);
    auto store = results::ResultStore::open(db_);
    store.register_sweep(spec, trials_);
    for (std::size_t i = 0; i < trials_.size(); ++i) {
      const auto& t = trials_[i];
      const auto attempt = store.start_attempt(t.id, {"host-a", "cpu", "0.1.0", "1.13", 77});
      const double base = (t.config.text("model") == "comet" ? 0.8 : 0.6) +
                          static_cast<double>(t.config.integer("seed")) / 10.0;
      for (int e = 1; e <= 2; ++e) {
        store.record_epoch(t.id, {e,
                                  {{"val", "acc", base - 0.1 * (2 - e)},
                                   {"val", "loss", 1.0 - base},
                                   {"train", "loss", 2.0 - e}}});
      }
      store.set_trainable_parameters(t.id, 1000 + static_cast<std::int64_t>(i));
      if (i == 1) {
        store.finish_attempt(attempt, results::TrialStatus::failed, "boom", "exception");
      } else {
        store.finish_attempt(attempt, results::TrialStatus::done);
      }
    }
  }
  TempDir dir_;
  std::filesystem::path db_ = dir_ / "q.db";
  std::vector<sweeps::TrialSpec> trials_;
};

TEST_F(QueryCommandsTest, LsSweepsCountsTrialsByState) {
  std::ostringstream out;
  ASSERT_EQ(ls_sweeps_command({db_, OutputFormat::json}, out), kExitOk);
  const auto rows = nlohmann::json::parse(out.str());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["sweep"], "q");
  EXPECT_EQ(rows[0]["trials"], 4);
  EXPECT_EQ(rows[0]["done"], 3);
  EXPECT_EQ(rows[0]["failed"], 1);
  EXPECT_EQ(rows[0]["file"], "q.yaml");
}

TEST_F(QueryCommandsTest, LsTrialsFiltersByConfigAndStatus) {
  LsTrialsParams p;
  p.db = db_;
  p.format = OutputFormat::json;
  p.where = {"model=comet"};
  std::ostringstream out;
  ASSERT_EQ(ls_trials_command(p, out), kExitOk);
  EXPECT_EQ(nlohmann::json::parse(out.str()).size(), 2u);
  p.status = "failed";
  std::ostringstream failed;
  ASSERT_EQ(ls_trials_command(p, failed), kExitOk);
  const auto rows = nlohmann::json::parse(failed.str());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["error"], "boom");
  p.status = "lost";
  std::ostringstream bad, err;
  EXPECT_EQ(run_guarded([&] { return ls_trials_command(p, bad); }, err), kExitBadInput);
  EXPECT_NE(err.str().find("--status 'lost'"), std::string::npos) << err.str();
}

TEST_F(QueryCommandsTest, ShowFindsAPrefixAndPrintsMetricsAndAttempts) {
  const auto& t = trials_[1];
  std::ostringstream out;
  ASSERT_EQ(show_command({db_, t.id.substr(0, 6), OutputFormat::json}, out), kExitOk);
  const auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["id"], t.id);
  EXPECT_EQ(j["status"], "failed");
  EXPECT_EQ(j["config"]["model"], t.config.text("model"));
  EXPECT_EQ(j["trainable_parameters"], 1001);
  ASSERT_EQ(j["attempts"].size(), 1u);
  EXPECT_EQ(j["attempts"][0]["kind"], "exception");
  EXPECT_EQ(j["attempts"][0]["worker_pid"], 77);
  bool saw_val_acc = false;
  for (const auto& m : j["metrics"]) {
    if (m["split"] == "val" && m["name"] == "acc") {
      saw_val_acc = true;
      EXPECT_EQ(m["best_epoch"], 2);
      EXPECT_EQ(m["final_epoch"], 2);
    }
    if (m["split"] == "train" && m["name"] == "loss") {
      EXPECT_EQ(m["best_epoch"], 2);  // losses: the minimum
    }
  }
  EXPECT_TRUE(saw_val_acc);
  std::ostringstream table;
  ASSERT_EQ(show_command({db_, t.id, OutputFormat::table}, table), kExitOk);
  EXPECT_NE(table.str().find("config.model"), std::string::npos) << table.str();
  std::ostringstream none, err;
  EXPECT_EQ(run_guarded(
                [&] {
                  return show_command({db_, "zzzz", OutputFormat::table}, none);
                },
                err),
            kExitBadInput);
}

TEST_F(QueryCommandsTest, CompareGivesLongRowsForProgramsAndStarsTheWinner) {
  CompareParams p;
  p.db = db_;
  p.sweep = "q";
  p.rows = "none";
  p.cols = "none";
  p.format = OutputFormat::json;
  std::ostringstream out;
  ASSERT_EQ(compare_command(p, out), kExitOk);
  const auto rows = nlohmann::json::parse(out.str());
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) {
    if (r["by"] == "comet") {  // only seed 0 is done: best 0.8
      EXPECT_EQ(r["n"], 1);
      EXPECT_NEAR(r["mean"].get<double>(), 0.8, 1e-12);
      EXPECT_EQ(r["best"], 1);
    } else {  // seeds 0 and 1: 0.6, 0.7
      EXPECT_EQ(r["n"], 2);
      EXPECT_NEAR(r["mean"].get<double>(), 0.65, 1e-12);
      EXPECT_NEAR(r["std"].get<double>(), std::sqrt(0.005), 1e-12);
      EXPECT_EQ(r["best"], 0);
    }
  }
  p.format = OutputFormat::table;
  std::ostringstream table;
  ASSERT_EQ(compare_command(p, table), kExitOk);
  EXPECT_NE(table.str().find("*0.8000 ± 0.0000 (1)"), std::string::npos) << table.str();
  p.metric = "val_perplexity";
  std::ostringstream none, err;
  EXPECT_EQ(run_guarded([&] { return compare_command(p, none); }, err), kExitBadInput);
  EXPECT_NE(err.str().find("no val/perplexity values"), std::string::npos) << err.str();
}

// csv parses back to the json's rows: same header keys, same cells.
TEST_F(QueryCommandsTest, CompareAndLsSweepsCsvMatchTheirJson) {
  CompareParams p;
  p.db = db_;
  p.sweep = "q";
  p.rows = "none";
  p.cols = "none";
  for (const auto& [csv_text, json_text] : std::vector<std::pair<std::string, std::string>>{
           {[&] {
              std::ostringstream o;
              p.format = OutputFormat::csv;
              compare_command(p, o);
              return o.str();
            }(),
            [&] {
              std::ostringstream o;
              p.format = OutputFormat::json;
              compare_command(p, o);
              return o.str();
            }()},
           {[&] {
              std::ostringstream o;
              ls_sweeps_command({db_, OutputFormat::csv}, o);
              return o.str();
            }(),
            [&] {
              std::ostringstream o;
              ls_sweeps_command({db_, OutputFormat::json}, o);
              return o.str();
            }()}}) {
    const auto rows = nlohmann::json::parse(json_text);
    std::istringstream lines(csv_text);
    std::string header;
    std::getline(lines, header);
    std::vector<std::string> keys;
    std::stringstream hs(header);
    for (std::string k; std::getline(hs, k, ',');) keys.push_back(k);
    std::size_t n = 0;
    for (std::string line; std::getline(lines, line); ++n) {
      ASSERT_LT(n, rows.size());
      std::stringstream cells(line);
      std::size_t i = 0;
      for (std::string cell; std::getline(cells, cell, ','); ++i) {
        const auto& v = rows[n][keys.at(i)];
        if (v.is_number()) {
          EXPECT_DOUBLE_EQ(std::stod(cell), v.get<double>()) << keys[i];
        } else if (v.is_string()) {
          EXPECT_EQ(cell, v.get<std::string>()) << keys[i];
        }
      }
      EXPECT_EQ(i, keys.size()) << line;
    }
    EXPECT_EQ(n, rows.size());
  }
}

TEST_F(QueryCommandsTest, ExportCurvesIsOneCsvRowPerTrialEpochAndMetric) {
  ExportParams p;
  p.db = db_;
  p.sweep = "q";
  p.curves = true;
  std::ostringstream out;
  ASSERT_EQ(export_command(p, out), kExitOk);
  std::istringstream lines(out.str());
  std::string header, line;
  std::getline(lines, header);
  EXPECT_EQ(header.rfind("trial,", 0), 0u) << header;
  EXPECT_NE(header.find(",epoch,split,metric,value"), std::string::npos) << header;
  int rows = 0;
  while (std::getline(lines, line)) ++rows;
  EXPECT_EQ(rows, 4 * 2 * 3);  // trials x epochs x metrics
  p.curves = false;
  p.format = OutputFormat::json;
  p.where = {"model=standard"};
  std::ostringstream trials;
  ASSERT_EQ(export_command(p, trials), kExitOk);
  const auto j = nlohmann::json::parse(trials.str());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["model"], "standard");
  EXPECT_EQ(j[0]["status"], "done");
}

}  // namespace
}  // namespace comet::cli
