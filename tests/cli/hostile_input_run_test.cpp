// `comet run` on hostile input: every malformed sweep, override or limit is exit 2 with one
// message naming where and what is allowed, and the database is untouched (not created, or
// byte for byte, row for row the same).

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "db_fingerprint.h"
#include "file_text.h"
#include "guarded_command.h"
#include "idx_fixture.h"
#include "temp_dir.h"
#include "test_paths.h"

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/results/result_store.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::cli {
namespace {

// Lines 1-6 of a valid sweep; cases append from line 7.
const std::string kHostileRunBase =
    "name: h\n"
    "dataset: mnist\n"
    "model: comet\n"
    "epochs: 1\n"
    "lr: 0.1\n"
    "width: 8\n";

// "seed: [0, 1, ..., count - 1]" under grid:.
std::string hostile_run_seed_grid(int count) {
  std::string seeds;
  for (int seed = 0; seed < count; ++seed) seeds += (seed == 0 ? "" : ", ") + std::to_string(seed);
  return "grid:\n  seed: [" + seeds + "]\n";
}

class HostileRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A database that holds a sweep already: a bad run must leave it exactly as it is.
    auto store = results::ResultStore::open(existing_db());
    const auto spec = sweeps::parse_sweep_text(kHostileRunBase + hostile_run_seed_grid(3), "old");
    store.register_sweep(spec, sweeps::expand_trials(spec));
  }

  std::filesystem::path existing_db() const { return dir_ / "existing.db"; }
  std::filesystem::path fresh_db() const { return dir_ / "fresh.db"; }

  RunParams params_for(const std::string& sweep_bytes, const std::filesystem::path& db) {
    std::ofstream(dir_ / "sweep.yaml", std::ios::binary) << sweep_bytes;
    RunParams p;
    p.sweep_file = dir_ / "sweep.yaml";
    p.db = db;
    p.data_root = dir_ / "data";
    p.devices = "cpu";
    p.worker_executable = testing::kCometBinary;
    return p;
  }

  // Runs `p` against both databases: exit 2, one "comet: ..." line holding `message`, no
  // fresh database (nor its run folder), the existing one unchanged.
  void expect_refused(RunParams p, const std::string& message) {
    const auto before = testing::db_fingerprint(existing_db());
    for (const auto& db : {existing_db(), fresh_db()}) {
      p.db = db;
      const auto result = testing::guarded(
          [&](std::ostream& out, std::ostream& err) { return run_command(p, out, err); });
      EXPECT_EQ(result.exit_code, kExitBadInput) << result.err;
      EXPECT_EQ(result.err.rfind("comet: ", 0), 0U) << result.err;
      EXPECT_NE(result.err.find(message), std::string::npos)
          << "expected: " << message << "\nfound: " << result.err.substr(0, 400);
      EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    }
    EXPECT_FALSE(std::filesystem::exists(fresh_db()));
    EXPECT_FALSE(std::filesystem::exists(dir_ / "fresh.db.runs"));
    const auto after = testing::db_fingerprint(existing_db());
    EXPECT_EQ(after.integrity, "ok");
    EXPECT_EQ(after.rows, before.rows);
    EXPECT_TRUE(after == before) << "the existing database changed";
  }

  void expect_sweep_refused(const std::string& sweep_bytes, const std::string& message) {
    expect_refused(params_for(sweep_bytes, existing_db()), message);
  }

  testing::TempDir dir_;
};

TEST_F(HostileRunTest, MalformedSweepFilesAreExitTwoAndTouchNoDatabase) {
  struct Case {
    std::string bytes, message;
  };
  const std::string huge = kHostileRunBase + "# " + std::string(sweeps::kMaxSweepFileBytes, '#');
  const Case cases[] = {
      {kHostileRunBase + "grid:\n  seed: [1, 2\n",
       "sweep.yaml:9:1: YAML syntax error: end of "
       "sequence flow not found"},
      {kHostileRunBase + "seed: [0, 1]\n",
       "sweep.yaml:7:7: seed: expected one value (an integer >= 0), found a list"},
      {kHostileRunBase + "widht: 8\n",
       "sweep.yaml:7:1: unknown key 'widht'; did you mean 'width'?"},
      {kHostileRunBase + "p_k: 1.5\n",
       "sweep.yaml:7:6: p_k: 1.5 is out of range; allowed: a real in (0, 1]"},
      {kHostileRunBase + "batch_size: 0\n",
       "sweep.yaml:7:13: batch_size: 0 is out of range; allowed: an integer >= 1"},
      {kHostileRunBase + "grid:\n  seed: []\n",
       "sweep.yaml:8:9: grid axis 'seed' is an empty list; give at least one value"},
      {kHostileRunBase + "grid:\n  seed: [1, 1]\n",
       "sweep.yaml:8:13: grid axis 'seed' lists 1 twice (first at line 8, column 10)"},
      {kHostileRunBase + "lr: 0.2\n",
       "sweep.yaml:7:1: duplicate key 'lr' (first given at line 5); give each key once"},
      {"name: h\ndataset: mnst\nmodel: comet\nepochs: 1\nlr: 0.1\nwidth: 8\n",
       "sweep.yaml:2:10: dataset: 'mnst' is not one of the choices (did you mean 'mnist'?)"},
      {"name: h\ndataset: mnist\nmodel: comett\nepochs: 1\nlr: 0.1\nwidth: 8\n",
       "sweep.yaml:3:8: model: 'comett' is not one of the choices (did you mean 'comet'?)"},
      {"name: ../../etc/x\ndataset: mnist\nmodel: comet\nepochs: 1\nlr: 0.1\nwidth: 8\n",
       "sweep.yaml:1:7: name: '../../etc/x' is not allowed; allowed: 1 to 64 characters"},
      {std::string("name: h\0\xff\xfe", 11), "sweep.yaml:1:8: the sweep file holds a NUL byte"},
      {"name: h\ndataset: mnist\nmodel: caf\xe9\n",
       "sweep.yaml:3:11: the sweep file holds the byte 0xe9, which is not UTF-8 here"},
      {std::string(100000, '['), "sweep.yaml:1:"},
      {huge, "sweep.yaml: the sweep file has " + std::to_string(huge.size()) +
                 " bytes, more than the 1048576 bytes (1 MiB) a sweep file may have"},
      {kHostileRunBase.substr(0, kHostileRunBase.find("width")) +
           "grid:\n  width: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n" +
           hostile_run_seed_grid(10000).substr(6),
       "sweep.yaml:8:3: the grid has more than 100000 trials (11 width x 10000 seed); split the "
       "sweep or shorten an axis"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.bytes.substr(0, 80));
    expect_sweep_refused(c.bytes, c.message);
  }
}

TEST_F(HostileRunTest, MissingOrUnreadableSweepFile) {
  auto p = params_for(kHostileRunBase, existing_db());
  p.sweep_file = dir_ / "nosuch.yaml";
  expect_refused(p, "nosuch.yaml: cannot read the sweep file: no such file");
  p.sweep_file = dir_.path();
  expect_refused(p, ": cannot read the sweep file: it is a folder");
}

TEST_F(HostileRunTest, MoreTrialsThanTheConfirmationLimitNeedYes) {
  auto p = params_for(kHostileRunBase + hostile_run_seed_grid(1001), existing_db());
  expect_refused(p,
                 "sweep.yaml: the sweep has 1001 trials (grid: 1001 seed), more than the 1000 "
                 "comet run starts without confirmation; look at the plan with --dry-run, then "
                 "pass --yes to run them all");
  // The plan needs no --yes.
  p.db = fresh_db();
  p.dry_run = true;
  const auto plan = testing::guarded(
      [&](std::ostream& out, std::ostream& err) { return run_command(p, out, err); });
  EXPECT_EQ(plan.exit_code, kExitOk) << plan.err;
  EXPECT_NE(plan.out.find("sweep 'h': 1001 trials, 1001 to run"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(fresh_db()));
  // With --yes it goes on (here to the data check: there is no data).
  p.dry_run = false;
  p.yes = true;
  const auto run = testing::guarded(
      [&](std::ostream& out, std::ostream& err) { return run_command(p, out, err); });
  EXPECT_EQ(run.exit_code, kExitBadInput);
  EXPECT_NE(run.err.find("comet: data error: dataset 'mnist': missing data file"),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(std::filesystem::exists(fresh_db()));
  // 1000 trials need no --yes.
  p.yes = false;
  p = params_for(kHostileRunBase + hostile_run_seed_grid(1000), fresh_db());
  const auto thousand = testing::guarded(
      [&](std::ostream& out, std::ostream& err) { return run_command(p, out, err); });
  EXPECT_NE(thousand.err.find("comet: data error: dataset 'mnist': missing data file"),
            std::string::npos)
      << thousand.err;
}

TEST_F(HostileRunTest, BadOverridesAreExitTwoNamingTheOverride) {
  auto p = params_for(kHostileRunBase, existing_db());
  struct Case {
    std::string text, message;
  };
  const Case cases[] = {
      {"p_k=1.5",
       "comet: error: override 'p_k=1.5' (argument 4): p_k: 1.5 is out of range; allowed: a real "
       "in (0, 1]"},
      {"widht=8",
       "comet: error: override 'widht=8' (argument 4): unknown key 'widht'; did you mean "
       "'width'?"},
      {"width=[8,8]",
       "comet: error: override 'width=[8,8]' (argument 4): grid axis 'width' lists 8 twice"},
      {"seed", "comet: error: override 'seed' (argument 4): no '=' in it"},
      {"name=a/b", "comet: error: override 'name=a/b' (argument 4): name: 'a/b' is not allowed"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    p.overrides = {{.text = "epochs=2", .origin = "argument 3"},
                   {.text = c.text, .origin = "argument 4"}};
    expect_refused(p, c.message);
  }
  // Overrides count toward the confirmation limit.
  p.overrides = {{.text = "seed=[" + hostile_run_seed_grid(1001).substr(15), .origin = ""}};
  p.overrides[0].text.pop_back();  // the grid text's line break
  expect_refused(p, "the sweep has 1001 trials (grid: 1001 seed)");
}

TEST_F(HostileRunTest, DryRunShowsTheOverriddenSweep) {
  auto p = params_for(kHostileRunBase, fresh_db());
  p.dry_run = true;
  p.overrides = {{.text = "width=[8, 16]", .origin = ""}, {.text = "epochs=3", .origin = ""}};
  const auto plan = testing::guarded(
      [&](std::ostream& out, std::ostream& err) { return run_command(p, out, err); });
  EXPECT_EQ(plan.exit_code, kExitOk) << plan.err;
  EXPECT_NE(plan.out.find("width"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("sweep 'h': 2 trials, 2 to run"), std::string::npos) << plan.out;
  // The ids are those of the edited file.
  const auto edited = sweeps::expand_trials(sweeps::parse_sweep_text(
      "name: h\ndataset: mnist\nmodel: comet\nepochs: 3\nlr: 0.1\ngrid:\n  width: [8, 16]\n",
      "edited.yaml"));
  for (const auto& trial : edited) EXPECT_NE(plan.out.find(trial.id), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(fresh_db()));
}

TEST_F(HostileRunTest, ABatchLargerThanTheTrainingSetIsExitTwoBeforeTheDatabase) {
  // 200 training examples, 40 held out for validation: 160 to train on.
  testing::write_mnist_fixture(dir_ / "data" / "mnist", 200, 20);
  auto p = params_for(kHostileRunBase + "grid:\n  batch_size: [32, 161]\n", existing_db());
  const auto trials = sweeps::expand_trials(sweeps::parse_sweep_file(p.sweep_file));
  ASSERT_EQ(trials.size(), 2U);
  expect_refused(p, "comet: data error: trial " + trials[1].id +
                        " (model comet, width 8, seed 0): batch_size 161 is larger than the "
                        "training set of mnist (160 examples after holding out val_fraction "
                        "0.2); allowed: batch_size <= 160");
}

TEST_F(HostileRunTest, AnInterruptedRunResumesWithTheSameOverrides) {
  testing::write_mnist_fixture(dir_ / "data" / "mnist", 200, 20);
  auto p = params_for(kHostileRunBase, fresh_db());
  p.overrides = {{.text = "epochs=2", .origin = ""}, {.text = "width=[8, 16]", .origin = ""}};
  int interrupt[2];
  ASSERT_EQ(::pipe(interrupt), 0);
  ASSERT_EQ(::write(interrupt[1], "x", 1), 1);  // Ctrl-C while the data loads
  p.interrupt_fd = interrupt[0];
  const auto result = testing::guarded(
      [&](std::ostream& out, std::ostream& err) { return run_command(p, out, err); });
  ::close(interrupt[0]);
  ::close(interrupt[1]);
  EXPECT_EQ(result.exit_code, kExitInterrupted) << result.err;
  EXPECT_NE(result.err.find("resume with: comet run " + p.sweep_file.string() +
                            " epochs=2 'width=[8, 16]' --db " + fresh_db().string() + "\n"),
            std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace comet::cli
