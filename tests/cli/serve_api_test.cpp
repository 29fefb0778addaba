// comet serve's JSON API in-process (ServeApi) over the quickstart-shaped fixture: every
// endpoint's fields equal what `comet ls sweeps`, `show`, `compare` and `export --format json`
// print; selections, the grid's bands, errors, and that a request never writes.

#include "serve_api.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "db_fingerprint.h"
#include "serve_fixture.h"
#include "temp_dir.h"

#include "comet/cli/commands.h"

namespace comet::cli {
namespace {

using nlohmann::json;

class ServeApiTest : public ::testing::Test {
 protected:
  void SetUp() override { fixture_ = testing::write_serve_fixture(db_); }
  json get(const std::string& path, const QueryList& params = {}, int status = 200) {
    const auto answer = ServeApi(db_).handle({path, params});
    EXPECT_EQ(answer.status, status) << path << ": " << answer.body;
    return json::parse(answer.body);
  }
  testing::TempDir dir_;
  std::filesystem::path db_ = dir_ / "q.db";
  testing::ServeFixture fixture_;
};

TEST_F(ServeApiTest, SweepsAreLsSweepsJson) {
  std::ostringstream cli;
  ls_sweeps_command({db_, OutputFormat::json}, cli);
  const auto sweeps = get("/api/sweeps");
  EXPECT_EQ(sweeps, json::parse(cli.str()));
  EXPECT_EQ(sweeps[0]["sweep"], "quickstart");
  EXPECT_EQ(sweeps[0]["done"], 11);  // 12 trials: standard's p_k is folded
  EXPECT_EQ(sweeps[0]["running"], 1);
}

TEST_F(ServeApiTest, TrialsAreExportRowsFilteredSortedAndPaged) {
  std::ostringstream cli;
  ExportParams p;
  p.db = db_;
  p.sweep = "quickstart";
  p.format = OutputFormat::json;
  export_command(p, cli);
  const auto all = get("/api/sweeps/quickstart/trials");
  EXPECT_EQ(all["total"], 12);
  EXPECT_EQ(all["trials"], json::parse(cli.str()));  // same rows, same order, same fields
  EXPECT_EQ(all["varying"], json({"model", "p_k", "seed", "width"}));

  const auto page = get("/api/sweeps/quickstart/trials", {{"where", "model=comet"},
                                                          {"where", "best_val_acc>0.5"},
                                                          {"sort", "best_val_acc"},
                                                          {"order", "desc"},
                                                          {"limit", "3"}});
  EXPECT_EQ(page["total"], 8);  // every comet trial is past 0.5
  ASSERT_EQ(page["trials"].size(), 3u);
  EXPECT_GE(page["trials"][0]["best_val_acc"], page["trials"][1]["best_val_acc"]);
  EXPECT_EQ(page["trials"][0]["model"], "comet");
  const auto running = get("/api/sweeps/quickstart/trials", {{"status", "running"}});
  ASSERT_EQ(running["total"], 1);
  EXPECT_EQ(running["trials"][0]["trial"], fixture_.running_id);
  const auto offset = get("/api/sweeps/quickstart/trials", {{"offset", "11"}, {"limit", "5"}});
  EXPECT_EQ(offset["trials"].size(), 1u);
}

TEST_F(ServeApiTest, CompareIsCompareJson) {
  CompareParams p;
  p.db = db_;
  p.sweep = "quickstart";
  p.format = OutputFormat::json;
  std::ostringstream cli;
  compare_command(p, cli);
  EXPECT_EQ(get("/api/sweeps/quickstart/compare"), json::parse(cli.str()));
  p.agg = "final";
  p.metric = "val_loss";
  p.where = {"width=500"};
  p.rows = "none";
  std::ostringstream final_cli;
  compare_command(p, final_cli);
  EXPECT_EQ(
      get("/api/sweeps/quickstart/compare",
          {{"agg", "final"}, {"metric", "val_loss"}, {"where", "width=500"}, {"rows", "none"}}),
      json::parse(final_cli.str()));
}

TEST_F(ServeApiTest, GridHasOneBandPerModelAndCell) {
  const auto grid = get("/api/sweeps/quickstart/grid");
  EXPECT_EQ(grid["row_values"], json({"100", "500"}));
  EXPECT_EQ(grid["col_values"], json({"0.1", "0.5"}));
  EXPECT_EQ(grid["series"], json({"comet", "standard"}));
  ASSERT_EQ(grid["cells"].size(), 4u);
  // standard has no p_k: its band is drawn in every column (as comet plot grid draws it).
  const auto& first = grid["cells"][0];
  ASSERT_EQ(first["bands"].size(), 2u);
  const auto& comet = first["bands"][0];
  EXPECT_EQ(comet["trials"], 2);  // two seeds
  EXPECT_EQ(comet["epoch"], json({1, 2, 3}));
  for (std::size_t e = 0; e < 3; ++e) {
    EXPECT_LE(comet["min"][e].get<double>(), comet["max"][e].get<double>());
    EXPECT_DOUBLE_EQ(comet["mid"][e].get<double>(),
                     (comet["min"][e].get<double>() + comet["max"][e].get<double>()) / 2);
  }
}

TEST_F(ServeApiTest, TrialIsShowJsonWithItsRunFiles) {
  const auto& id = fixture_.trials[0].id;
  ShowParams p;
  p.db = db_;
  p.trial = id;
  p.format = OutputFormat::json;
  std::ostringstream cli;
  show_command(p, cli);
  auto trial = get("/api/trials/" + id.substr(0, 6));
  EXPECT_EQ(trial["checkpoint"]["exists"], true);
  EXPECT_EQ(trial["checkpoint"]["bytes"], 1000);
  EXPECT_EQ(trial["checkpoint"]["resumable_epoch"], 3);
  EXPECT_EQ(trial["log_tail"], "epoch 1 val_acc 0.49\nepoch 2 val_acc 0.68\n");
  trial.erase("checkpoint");
  trial.erase("log_tail");
  EXPECT_EQ(trial, json::parse(cli.str()));

  const auto curves = get("/api/trials/" + id + "/curves");
  ASSERT_EQ(curves["curves"].size(), 5u);  // every metric
  EXPECT_EQ(curves["curves"][0]["metric"], "epoch_seconds");
  EXPECT_EQ(curves["curves"][0]["epoch"], json({1, 2, 3}));
}

TEST_F(ServeApiTest, SweepCurvesOfASelection) {
  const auto c = get("/api/sweeps/quickstart/curves",
                     {{"metric", "val_loss"}, {"where", "width=500"}, {"x", "seconds"}});
  ASSERT_EQ(c["curves"].size(), 6u);  // comet 2 p_k x 2 seeds, standard 2 seeds
  EXPECT_EQ(c["curves"][0]["epoch"], json({1, 2, 3}));
  EXPECT_NEAR(c["curves"][0]["seconds"][2].get<double>(), 1.3 + 1.4 + 1.5, 1e-9);
  EXPECT_EQ(get("/api/metrics").size(), 5u);
}

TEST_F(ServeApiTest, BadRequestsAre4xxAndNamedInTheAnswer) {
  const std::string quote_sql = "model=comet' OR 1=1; DROP TABLE trials; --";
  EXPECT_EQ(get("/api/sweeps/quickstart/trials", {{"where", quote_sql}})["total"], 0);
  get("/api/sweeps/quickstart/trials", {{"where", "nonsense"}}, 400);
  get("/api/sweeps/quickstart/trials", {{"limit", "100000"}}, 400);
  get("/api/sweeps/quickstart/trials", {{"limit", "-1"}}, 400);
  get("/api/sweeps/quickstart/trials", {{"sort", "x'; --"}}, 400);
  get("/api/sweeps/quickstart/trials", {{"bogus", "1"}}, 400);
  get("/api/sweeps/quickstart/trials", {{"where", std::string(300, 'a')}}, 400);
  get("/api/sweeps/quickstart/trials", {{"where", "model=\x01"}}, 400);
  get("/api/sweeps/quickstart/trials", {{"where", "model=\xc3("}}, 400);
  get("/api/sweeps/quickstart/trials", {{"order", "a"}, {"order", "b"}}, 400);
  get("/api/sweeps/quickstart/curves", {{"metric", "val_nothing"}}, 400);
  get("/api/sweeps/quickstart/compare", {{"rows", "nokey"}}, 400);
  get("/api/sweeps/quickstart/grid", {{"metric", "epoch_seconds"}}, 400);
  get("/api/sweeps/nosuch/trials", {}, 404);
  get("/api/sweeps/..%2f..%2fetc/trials", {}, 400);
  get("/api/sweeps/../../etc/passwd", {}, 404);
  get("/api/trials/zz", {}, 400);
  get("/api/trials/ffffffffffffffff", {}, 404);
  get("/api/nothing", {}, 404);
  QueryList many;
  for (int i = 0; i < 40; ++i) many.emplace_back("where", "seed=1");
  get("/api/sweeps/quickstart/trials", many, 400);
}

TEST_F(ServeApiTest, StorageTroubleIs503) {
  std::filesystem::remove(db_);
  const auto gone = ServeApi(db_).handle({"/api/sweeps", {}});
  EXPECT_EQ(gone.status, 503);
  EXPECT_NE(gone.body.find("no results database"), std::string::npos) << gone.body;
  std::ofstream(db_) << std::string(4096, 'x');
  const auto damaged = ServeApi(db_).handle({"/api/sweeps", {}});
  EXPECT_EQ(damaged.status, 503);
  EXPECT_NE(damaged.body.find("not a database"), std::string::npos) << damaged.body;
}

TEST_F(ServeApiTest, NeverWritesAReadOnlyDatabase) {
  // A database of this user's that nobody writes: after the writer closed, there is no -shm.
  std::filesystem::remove(db_.string() + "-shm");
  std::filesystem::remove(db_.string() + "-wal");
  ::chmod(db_.c_str(), 0444);
  struct stat before {};
  ::stat(db_.c_str(), &before);
  for (const char* path : {"/api/sweeps", "/api/sweeps/quickstart/trials",
                           "/api/sweeps/quickstart/grid", "/api/sweeps/quickstart/compare"}) {
    EXPECT_EQ(ServeApi(db_).handle({path, {}}).status, 200) << path;
  }
  struct stat after {};
  ::stat(db_.c_str(), &after);
  EXPECT_EQ(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
  EXPECT_EQ(before.st_size, after.st_size);
  if (::geteuid() != 0) {  // root's access(W_OK) says yes to 0444: SQLite then makes its -shm
    EXPECT_FALSE(std::filesystem::exists(db_.string() + "-shm"));
  }
}

TEST_F(ServeApiTest, AnOlderSchemaIsRefusedNotUpgraded) {
  // The other readers upgrade a database of an older schema in place; the server never writes.
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db_.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(handle, "PRAGMA user_version = 2", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close_v2(handle);
  const auto before = testing::db_fingerprint(db_);
  const auto answer = ServeApi(db_).handle({"/api/sweeps", {}});
  EXPECT_EQ(answer.status, 503);
  EXPECT_NE(answer.body.find("has schema version 2; open it for writing once"), std::string::npos)
      << answer.body;
  EXPECT_EQ(testing::db_fingerprint(db_), before);
}

}  // namespace
}  // namespace comet::cli
