// The commands called in-process, as main calls them.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "idx_fixture.h"
#include "temp_dir.h"
#include "test_paths.h"

#include "comet/cli/commands.h"
#include "comet/cli/error_boundary.h"
#include "comet/cli/exit_codes.h"
#include "comet/cli/usage_error.h"
#include "comet/results/result_store.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::cli {
namespace {

using testing::TempDir;

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

class RunCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::write_mnist_fixture(dir_ / "data" / "mnist", 200, 20); }
  RunParams params(const std::string& sweep_yaml) {
    write_text(dir_ / "sweep.yaml", sweep_yaml);
    RunParams p;
    p.sweep_file = dir_ / "sweep.yaml";
    p.db = dir_ / "results.db";
    p.data_root = dir_ / "data";
    p.threads = 2;
    p.devices = "cpu";
    p.worker_executable = testing::kCometBinary;  // this test binary has no `worker` subcommand
    return p;
  }
  TempDir dir_;
};

// eval_test: every_epoch stores test/loss and test/acc per epoch beside val, and the documented
// queries read them: compare --metric test_acc, --split test, export --curves.
TEST_F(RunCommandTest, TestSplitMetricsAreStoredAndQueried) {
  auto p = params(
      "name: tested\ndataset: mnist\nepochs: 2\nlr: 0.01\neval_test: every_epoch\n"
      "grid:\n  model: [comet, standard]\n  width: [16]\n  p_k: [0.5]\n  seed: [0, 1]\n");
  std::ostringstream out, err;
  ASSERT_EQ(run_command(p, out, err), kExitOk) << err.str();
  auto store = results::ResultStore::open_read_only(p.db);
  for (const auto& trial : store.list_trials()) {
    int test_points = 0;
    for (const auto& point : store.curve(trial.id)) {
      if (point.split != "test") continue;
      ++test_points;
      EXPECT_GE(point.value, 0.0);
      // 20 test images: accuracy is a multiple of 1/20.
      if (point.name == "acc") {
        EXPECT_NEAR(point.value * 20, std::round(point.value * 20), 1e-9);
      }
    }
    EXPECT_EQ(test_points, 4) << trial.id;  // loss and acc, 2 epochs
  }
  CompareParams compare;
  compare.db = p.db;
  compare.sweep = "tested";
  compare.metric = "test_acc";
  compare.format = OutputFormat::json;
  std::ostringstream json;
  ASSERT_EQ(compare_command(compare, json), kExitOk);
  const auto rows = nlohmann::json::parse(json.str());
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    EXPECT_EQ(row["metric"], "test_acc");
    EXPECT_EQ(row["n"], 2);
  }
  compare.metric = "loss";
  compare.split = "test";
  compare.agg = "final";
  std::ostringstream by_split;
  ASSERT_EQ(compare_command(compare, by_split), kExitOk);
  EXPECT_NE(by_split.str().find("test_loss"), std::string::npos) << by_split.str();
  std::ostringstream curves;
  ASSERT_EQ(export_command({p.db, "tested", true, {}, OutputFormat::csv}, curves), kExitOk);
  EXPECT_NE(curves.str().find(",test,acc,"), std::string::npos) << curves.str().substr(0, 400);
}

TEST_F(RunCommandTest, RunsTheGridPrintsTheSeedTableAndListsTrials) {
  auto p = params(
      "name: mini\ndataset: mnist\nepochs: 2\nlr: 0.01\ngrid:\n  model: [comet, standard]\n"
      "  width: [16]\n  p_k: [0.5]\n  seed: [0, 1]\n");
  std::ostringstream out, err;
  EXPECT_EQ(run_command(p, out, err), kExitOk) << err.str();
  const auto table = out.str();
  EXPECT_NE(table.find("best val_acc (mean ± std)"), std::string::npos) << table;
  EXPECT_NE(table.find("comet"), std::string::npos);
  EXPECT_NE(err.str().find("epoch   2/2"), std::string::npos) << err.str();

  std::ostringstream listing;
  EXPECT_EQ(ls_trials_command({p.db, std::string("mini"), {}, {}, OutputFormat::json}, listing),
            kExitOk);
  auto rows = nlohmann::json::parse(listing.str());
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& row : rows) {
    EXPECT_EQ(row["status"], "done");
    EXPECT_EQ(row["epochs"], 2);
    EXPECT_EQ(row["sweep"], "mini");
    EXPECT_EQ(row["width"], 16);
    // standard ignores p_k: it holds the default (tests/sweeps/ignored_keys_test.cpp).
    EXPECT_DOUBLE_EQ(row["p_k"].get<double>(), row["model"] == "standard" ? 1.0 : 0.5);
    EXPECT_GE(row["best_val_acc"].get<double>(), row["final_val_acc"].get<double>());
  }

  // Run again: everything is done, nothing runs, nothing is duplicated.
  std::ostringstream out2, err2;
  EXPECT_EQ(run_command(p, out2, err2), kExitOk);
  EXPECT_NE(err2.str().find("4 already done"), std::string::npos) << err2.str();
  auto store = results::ResultStore::open_read_only(p.db);
  for (const auto& row : store.list_trials("mini")) EXPECT_EQ(store.curve(row.id).size(), 10u);
}

TEST_F(RunCommandTest, BadSweepIsExitTwoWithLocationAndNoDatabase) {
  auto p =
      params("name: bad\ndataset: mnist\nepochs: 2\nlr: 0.01\nwidth: 8\nmodel: comet\np_k: 1.5\n");
  std::ostringstream out, err;
  EXPECT_EQ(run_guarded([&] { return run_command(p, out, err); }, err), kExitBadInput);
  EXPECT_NE(err.str().find("sweep.yaml:7:6"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("p_k"), std::string::npos) << err.str();
  EXPECT_FALSE(std::filesystem::exists(p.db));
}

TEST_F(RunCommandTest, MissingDataIsExitTwoAndNoDatabase) {
  auto p = params("name: nodata\ndataset: mnist\nepochs: 1\nlr: 0.01\nwidth: 8\nmodel: comet\n");
  p.data_root = dir_ / "nowhere";
  std::ostringstream out, err;
  EXPECT_EQ(run_guarded([&] { return run_command(p, out, err); }, err), kExitBadInput);
  EXPECT_NE(err.str().find("train-images-idx3-ubyte"), std::string::npos) << err.str();
  EXPECT_FALSE(std::filesystem::exists(p.db));
}

TEST_F(RunCommandTest, UnusableDeviceIsExitTwo) {
  auto p = params("name: dev\ndataset: mnist\nepochs: 1\nlr: 0.01\nwidth: 8\nmodel: comet\n");
  p.devices = "cuda:7";
  std::ostringstream out, err;
  EXPECT_EQ(run_guarded([&] { return run_command(p, out, err); }, err), kExitBadInput);
  EXPECT_NE(err.str().find("cuda:7"), std::string::npos) << err.str();
}

TEST_F(RunCommandTest, BadSlotOptionsAreExitTwoNamingTheValue) {
  auto p = params("name: dev\ndataset: mnist\nepochs: 1\nlr: 0.01\nwidth: 8\nmodel: comet\n");
  const std::vector<std::tuple<std::string, int, std::string, std::string>> cases = {
      {"cpu,cpu", 1, "none", "names cpu twice"},
      {"gpu", 1, "none", "'gpu' cannot be used"},
      {",cpu", 1, "none", "cannot be used"},
      {"cpu", 0, "none", "--jobs-per-device 0"},
      {"cpu", 1, "some", "--rerun 'some'"}};
  for (const auto& [devices, jobs, rerun, message] : cases) {
    p.devices = devices;
    p.jobs_per_device = jobs;
    p.rerun = rerun;
    std::ostringstream out, err;
    EXPECT_EQ(run_guarded([&] { return run_command(p, out, err); }, err), kExitBadInput) << devices;
    EXPECT_NE(err.str().find(message), std::string::npos) << err.str();
    EXPECT_FALSE(std::filesystem::exists(p.db));
  }
}

// A second `comet run` on a database a live one is using refuses, naming the first (here the
// lock is held by an open file description of this process, as another process would).
TEST_F(RunCommandTest, ASecondRunOnTheSameDatabaseRefusesNamingTheFirst) {
  auto p = params("name: one\ndataset: mnist\nepochs: 1\nlr: 0.01\nwidth: 8\nmodel: comet\n");
  std::filesystem::create_directories(dir_ / "results.db.runs");
  const auto lock_path = dir_ / "results.db.runs" / "run.lock";
  write_text(lock_path, "pid 4242 on host elsewhere\n");
  const int fd = ::open(lock_path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  std::ostringstream out, err;
  EXPECT_EQ(run_guarded([&] { return run_command(p, out, err); }, err), kExitStorage);
  EXPECT_NE(err.str().find("another comet run is using this database (pid 4242 on host "
                           "elsewhere)"),
            std::string::npos)
      << err.str();
  EXPECT_FALSE(std::filesystem::exists(p.db));
  ::close(fd);  // released, as when the first run ends or dies: the next run proceeds
  std::ostringstream out2, err2;
  EXPECT_EQ(run_command(p, out2, err2), kExitOk) << err2.str();
}

TEST_F(RunCommandTest, DivergedTrialMakesExitOne) {
  auto p = params(
      "name: boom\ndataset: mnist\nepochs: 2\nlr: 1.0e+30\nwidth: 16\nmodel: standard\n"
      "activation: relu\n");
  std::ostringstream out, err;
  EXPECT_EQ(run_command(p, out, err), kExitTrialsFailed) << err.str();
  EXPECT_NE(err.str().find("DIVERGED"), std::string::npos) << err.str();
}

TEST_F(RunCommandTest, CheckpointsLiveBesideTheDatabaseUntilTheTrialIsDone) {
  EXPECT_EQ(checkpoint_dir("comet.db"), std::filesystem::path("comet.db.runs"));
  const std::string sweep =
      "name: ck\ndataset: mnist\nepochs: 2\nlr: 0.01\nwidth: 8\nmodel: comet\np_k: 0.5\n";
  auto p = params(sweep);
  std::ostringstream out, err;
  EXPECT_EQ(run_command(p, out, err), kExitOk) << err.str();
  // Written after each epoch, deleted once the trial was recorded done; its log stays.
  const auto id = results::ResultStore::open_read_only(p.db).list_trials().at(0).id;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "results.db.runs" / (id + ".ckpt")));
  std::ifstream log(dir_ / "results.db.runs" / (id + ".log"));
  const std::string log_text{std::istreambuf_iterator<char>(log), {}};
  EXPECT_NE(log_text.find("epoch 2 train_loss"), std::string::npos) << log_text;
  EXPECT_NE(log_text.find("done after epoch 2"), std::string::npos) << log_text;

  p.db = dir_ / "off.db";
  p.checkpoint_every = 0;
  EXPECT_EQ(run_command(p, out, err), kExitOk) << err.str();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "off.db.runs" / (id + ".ckpt")));

  p.db = dir_ / "bad.db";
  p.checkpoint_every = -1;
  std::ostringstream bad;
  EXPECT_EQ(run_guarded([&] { return run_command(p, out, bad); }, bad), kExitBadInput);
  EXPECT_NE(bad.str().find("--checkpoint-every"), std::string::npos) << bad.str();
  EXPECT_FALSE(std::filesystem::exists(p.db));
}

TEST_F(RunCommandTest, LsOnMissingDatabaseIsAStorageError) {
  std::ostringstream out, err;
  EXPECT_EQ(
      run_guarded(
          [&] {
            return ls_trials_command({dir_ / "none.db", {}, {}, {}, OutputFormat::table}, out);
          },
          err),
      kExitStorage);
  EXPECT_NE(err.str().find("none.db"), std::string::npos) << err.str();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "none.db"));
}

TEST_F(RunCommandTest, DryRunPlansWithoutWritingAndFollowsTheDatabase) {
  const std::string grid =
      "name: plan\ndataset: mnist\nepochs: 1\nlr: 0.01\nwidth: 16\ngrid:\n"
      "  model: [comet, standard]\n";
  auto p = params(grid);
  p.dry_run = true;
  std::ostringstream plan, err;
  EXPECT_EQ(run_command(p, plan, err), kExitOk);
  EXPECT_FALSE(std::filesystem::exists(p.db)) << "a dry run created the database";
  EXPECT_FALSE(std::filesystem::exists(checkpoint_dir(p.db)));
  EXPECT_NE(plan.str().find("2 trials, 2 to run, 0 to skip"), std::string::npos) << plan.str();
  EXPECT_NE(plan.str().find("(not created yet)"), std::string::npos) << plan.str();

  // Run only the comet trial, then plan the grid again: comet is done, standard still to run.
  auto only_comet = params(
      "name: plan\ndataset: mnist\nepochs: 1\nlr: 0.01\nwidth: 16\n"
      "model: comet\n");
  std::ostringstream out;
  ASSERT_EQ(run_command(only_comet, out, err), kExitOk) << err.str();
  p = params(grid);
  p.dry_run = true;
  std::ostringstream second;
  EXPECT_EQ(run_command(p, second, err), kExitOk);
  EXPECT_NE(second.str().find("skip (done)"), std::string::npos) << second.str();
  EXPECT_NE(second.str().find("1 to run, 1 to skip"), std::string::npos) << second.str();

  // A checkpoint beside the database turns the pending trial's "run" into "resume".
  const auto trials = sweeps::expand_trials(sweeps::parse_sweep_file(p.sweep_file));
  std::filesystem::create_directories(checkpoint_dir(p.db));
  for (const auto& t : trials) {
    if (t.config.text("model") == "standard") {
      std::ofstream(checkpoint_dir(p.db) / (t.id + ".ckpt")) << "x";
    }
  }
  std::ostringstream third;
  EXPECT_EQ(run_command(p, third, err), kExitOk);
  EXPECT_NE(third.str().find("resume (checkpoint present)"), std::string::npos) << third.str();
}

TEST_F(RunCommandTest, StatusCountsStatesAndShowsRunningAndFailedTrials) {
  auto p = params(
      "name: mixed\ndataset: mnist\nepochs: 2\nwidth: 16\nmodel: standard\nactivation: relu\n"
      "grid:\n  lr: [0.01, 1.0e+30, 0.02]\n");
  std::ostringstream out, err;
  EXPECT_EQ(run_command(p, out, err), kExitTrialsFailed) << err.str();
  // Put the third trial back to running after one epoch, as a live run would show it.
  const auto trials = sweeps::expand_trials(sweeps::parse_sweep_file(p.sweep_file));
  const auto& live = trials.at(2);
  {
    auto store = results::ResultStore::open(p.db);
    store.start_attempt(live.id, {"host", "cpu", "test", "test"}, 1);
  }

  std::ostringstream table;
  EXPECT_EQ(status_command({p.db, std::string("mixed"), OutputFormat::table}, table), kExitOk);
  EXPECT_NE(table.str().find("diverged"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("training loss is"), std::string::npos) << table.str();

  std::ostringstream json_text;
  EXPECT_EQ(status_command({p.db, std::nullopt, OutputFormat::json}, json_text), kExitOk);
  auto json = nlohmann::json::parse(json_text.str());
  ASSERT_EQ(json["sweeps"].size(), 1u);
  const auto& counts = json["sweeps"][0];
  EXPECT_EQ(counts["trials"], 3);
  EXPECT_EQ(counts["done"], 1);
  EXPECT_EQ(counts["diverged"], 1);
  EXPECT_EQ(counts["running"], 1);
  EXPECT_EQ(counts["pending"], 0);
  bool saw_running = false;
  for (const auto& row : json["trials"]) {
    if (row["status"] != "running") continue;
    saw_running = true;
    EXPECT_EQ(row["id"], live.id);
    EXPECT_EQ(row["epochs"], "1/2");      // epoch 2 was dropped by start_attempt(.., 1)
    EXPECT_TRUE(row["ETA"].is_string());  // one more epoch at the trial's own pace
  }
  EXPECT_TRUE(saw_running) << json_text.str();

  std::ostringstream unused;
  EXPECT_THROW(status_command({p.db, std::string("nope"), OutputFormat::table}, unused),
               UsageError);
}

}  // namespace
}  // namespace comet::cli
