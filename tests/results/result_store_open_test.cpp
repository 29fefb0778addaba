// Opening the store: schema creation, WAL, and the files it must refuse.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "store_test_data.h"
#include "temp_dir.h"

#include "comet/results/result_store.h"

namespace comet::results {
namespace {

using comet::testing::TempDir;
using test_data::contains;
using test_data::RawConnection;
using test_data::store_error_of;

std::string file_contents(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(ResultStoreOpen, CreatesSchemaVersionThreeInWalMode) {
  TempDir dir;
  const auto path = dir / "results.db";
  { auto store = ResultStore::open(path); }

  RawConnection raw(path);
  EXPECT_EQ(raw.single("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.single("PRAGMA user_version"), "3");
  const auto tables = raw.rows("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
  std::vector<std::string> names;
  for (const auto& row : tables) names.push_back(row[0]);
  EXPECT_EQ(names, (std::vector<std::string>{"analyses", "analysis_points", "attempts", "metrics",
                                             "sweep_trials", "sweeps", "trials"}));
}

TEST(ResultStoreOpen, ReopeningKeepsTheData) {
  TempDir dir;
  const auto path = dir / "results.db";
  const auto trials = test_data::three_trials();
  {
    auto store = ResultStore::open(path);
    store.register_sweep(test_data::sweep_named("widths"), trials);
  }
  auto store = ResultStore::open(path);
  EXPECT_EQ(store.sweep_names(), std::vector<std::string>{"widths"});
  ASSERT_EQ(store.list_trials("widths").size(), 3u);
  EXPECT_EQ(store.list_trials("widths")[2].config.integer("width"), 256);
}

TEST(ResultStoreOpen, RefusesANewerSchemaVersion) {
  TempDir dir;
  const auto path = dir / "results.db";
  { auto store = ResultStore::open(path); }
  RawConnection(path).execute("PRAGMA user_version = 4");

  const std::string expected =
      "database " + path.string() + " has schema version 4; this comet understands up to 3";
  EXPECT_EQ(store_error_of([&] { ResultStore::open(path); }), expected);
  EXPECT_EQ(store_error_of([&] { ResultStore::open_read_only(path); }), expected);
}

// A version-1 database (before attempts had a kind, a worker pid and an environment, and before
// analyses) is upgraded in place, through each version, when
// opened for writing, its data kept; reading it first asks for that upgrade.
TEST(ResultStoreOpen, UpgradesAVersionOneDatabaseAndKeepsItsData) {
  TempDir dir;
  const auto path = dir / "results.db";
  const auto trials = test_data::three_trials();
  std::int64_t attempt = 0;
  {
    auto store = ResultStore::open(path);
    store.register_sweep(test_data::sweep_named("old"), trials);
    attempt = store.start_attempt(trials[0].id, AttemptInfo{"h", "cpu", "0.1", "1.13", 0});
    store.finish_attempt(attempt, TrialStatus::failed, "boom");
  }
  {
    RawConnection raw(path);
    // Back to version 1's layout: what versions 2 and 3 added, taken away.
    raw.execute("ALTER TABLE attempts DROP COLUMN kind");
    raw.execute("ALTER TABLE attempts DROP COLUMN worker_pid");
    raw.execute("ALTER TABLE attempts DROP COLUMN device_name");
    raw.execute("ALTER TABLE attempts DROP COLUMN blas");
    raw.execute("ALTER TABLE attempts DROP COLUMN threads");
    raw.execute("DROP INDEX metrics_by_name");
    raw.execute("DROP TABLE analysis_points");
    raw.execute("DROP TABLE analyses");
    raw.execute("PRAGMA user_version = 1");
  }
  // A reader upgrades it in place (the file is writable here) and reads it.
  EXPECT_EQ(ResultStore::open_read_only(path).attempts(trials[0].id).size(), 1u);
  auto store = ResultStore::open(path);
  EXPECT_EQ(RawConnection(path).single("PRAGMA user_version"), "3");
  const auto attempts = store.attempts(trials[0].id);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].error, "boom");
  EXPECT_EQ(attempts[0].kind, "");
  const auto next = store.start_attempt(trials[0].id, AttemptInfo{"h", "cpu", "0.1", "1.13", 42});
  store.finish_attempt(next, TrialStatus::failed, "gone", "killed");
  EXPECT_EQ(store.attempts(trials[0].id).back().kind, "killed");
  EXPECT_EQ(store.attempts(trials[0].id).back().worker_pid, 42);
  AnalysisRecord analysis;
  analysis.kind = "routing";
  analysis.params_json = "{}";
  analysis.summary_json = "{}";
  EXPECT_GT(store.record_analysis(analysis), 0);  // the tables of version 3 exist
}

TEST(ResultStoreAnalyses, RoundTripWithTheirPointsNewestFirst) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  AnalysisRecord first;
  first.kind = "routing";
  first.params_json = R"({"pairs":500})";
  first.summary_json = R"({"spearman":{"0.1":0.9}})";
  first.comet_version = "0.1.0";
  first.points = {{"p_k=0.1", 0.25, 0.5}, {"p_k=0.1", 0.5, 0.75}, {"p_k=1", 0.5, 1.0}};
  const auto id = store.record_analysis(first);
  AnalysisRecord second = first;
  second.kind = "utilization";
  second.points.clear();
  const auto id2 = store.record_analysis(second);
  const auto all = store.list_analyses();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, id2);
  EXPECT_EQ(store.list_analyses(std::string("routing")).size(), 1u);
  const auto back = store.analysis(id);
  EXPECT_EQ(back.kind, "routing");
  EXPECT_EQ(back.params_json, first.params_json);
  EXPECT_EQ(back.summary_json, first.summary_json);
  ASSERT_EQ(back.points.size(), 3u);
  EXPECT_EQ(back.points[1].series, "p_k=0.1");
  EXPECT_EQ(back.points[1].x, 0.5);
  EXPECT_EQ(back.points[1].y, 0.75);
  EXPECT_NE(back.created_at, "");
  EXPECT_THROW(store.analysis(id + 100), StoreError);
}

TEST(ResultStoreOpen, RefusesAFileThatIsNotADatabaseAndLeavesItAlone) {
  TempDir dir;
  const auto path = dir / "notes.db";
  const std::string garbage(8192, 'x');
  std::ofstream(path, std::ios::binary) << garbage;

  const std::string message = store_error_of([&] { ResultStore::open(path); });
  EXPECT_TRUE(contains(message, path.string()));
  EXPECT_TRUE(contains(message, "file is not a database"));
  EXPECT_TRUE(contains(store_error_of([&] { ResultStore::open_read_only(path); }),
                       "file is not a database"));
  EXPECT_EQ(file_contents(path), garbage);
}

TEST(ResultStoreOpen, RefusesAnSqliteFileOfAnotherProgram) {
  TempDir dir;
  const auto path = dir / "other.db";
  RawConnection(path).execute("CREATE TABLE recipes (name TEXT)");

  EXPECT_TRUE(contains(store_error_of([&] { ResultStore::open(path); }),
                       "is not a comet results database"));
  RawConnection raw(path);
  EXPECT_EQ(raw.single("SELECT count(*) FROM sqlite_schema"), "1");  // nothing added
}

TEST(ResultStoreOpen, RefusesAMissingParentFolderNamingIt) {
  TempDir dir;
  const auto path = dir / "no-such-folder" / "results.db";
  const std::string message = store_error_of([&] { ResultStore::open(path); });
  EXPECT_TRUE(contains(message, (dir / "no-such-folder").string()));
  EXPECT_TRUE(contains(message, "does not exist"));
  EXPECT_FALSE(std::filesystem::exists(dir / "no-such-folder"));
}

TEST(ResultStoreOpen, ReadOnlyOpenOfAMissingFileFailsWithoutCreatingIt) {
  TempDir dir;
  const auto path = dir / "missing.db";
  EXPECT_EQ(store_error_of([&] { ResultStore::open_read_only(path); }),
            "no results database at " + path.string());
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ResultStoreOpen, ReadOnlyStoreReadsButRefusesWrites) {
  TempDir dir;
  const auto path = dir / "results.db";
  const auto trials = test_data::three_trials();
  {
    auto store = ResultStore::open(path);
    store.register_sweep(test_data::sweep_named("widths"), trials);
  }
  auto reader = ResultStore::open_read_only(path);
  EXPECT_EQ(reader.list_trials().size(), 3u);
  EXPECT_EQ(reader.trial_status(trials[0].id), TrialStatus::pending);
  EXPECT_TRUE(contains(
      store_error_of([&] { reader.start_attempt(trials[0].id, test_data::attempt_info()); }),
      "read-only"));
  EXPECT_EQ(reader.trial_status(trials[0].id), TrialStatus::pending);
}

TEST(ResultStoreOpen, MovedStoreKeepsWorking) {
  TempDir dir;
  auto first = ResultStore::open(dir / "results.db");
  ResultStore second = std::move(first);
  second.register_sweep(test_data::sweep_named("widths"), test_data::three_trials());
  EXPECT_EQ(second.list_trials().size(), 3u);
}

TEST(TrialStatusText, RoundTripsAndRejectsUnknownText) {
  for (auto status : {TrialStatus::pending, TrialStatus::running, TrialStatus::done,
                      TrialStatus::failed, TrialStatus::diverged}) {
    EXPECT_EQ(trial_status_from_string(to_string(status)), status);
  }
  EXPECT_EQ(to_string(TrialStatus::diverged), "diverged");
  EXPECT_THROW(trial_status_from_string("finished"), StoreError);
}

}  // namespace
}  // namespace comet::results
