// Broken storage as `comet run` and the readers meet it, in-process: a damaged header, a file
// cut in half, a file that is not SQLite, a database of a newer comet. Each is exit 3 with a
// message naming the file and the cause, and the file is left byte for byte as it was. Then
// hostile text (quotes, `'; DROP TABLE trials; --`, LIKE wildcards) as sweep names, trial ids
// and --where values: only ever bound or compared in C++, never SQL.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "file_text.h"
#include "guarded_command.h"
#include "sqlite_rows.h"
#include "temp_dir.h"
#include "test_paths.h"

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/results/result_store.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::cli {
namespace {

using testing::CommandResult;
using testing::guarded;
using testing::slurp;
using testing::sqlite_rows;
using testing::sqlite_value;
using testing::TempDir;

constexpr const char* kDamageSweep =
    "name: st\ndataset: synthetic_clusters\nsynthetic_clusters.count: 200\n"
    "synthetic_clusters.dims: 8\nsynthetic_clusters.classes: 2\nepochs: 2\nlr: 0.01\nwidth: 8\n"
    "grid:\n  model: [comet, standard]\n";

::testing::AssertionResult has(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

void execute_sql(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(handle);
  sqlite3_close_v2(handle);
}

class StorageErrorsTest : public ::testing::Test {
 protected:
  RunParams run_params() {
    std::ofstream(dir_ / "sweep.yaml") << kDamageSweep;
    RunParams p;
    p.sweep_file = dir_ / "sweep.yaml";
    p.db = db_;
    p.data_root = dir_ / "data";
    p.devices = "cpu";
    p.threads = 1;
    p.worker_executable = testing::kCometBinary;
    return p;
  }
  CommandResult run() {
    const auto p = run_params();
    return guarded([&](std::ostream& out, std::ostream& err) { return run_command(p, out, err); });
  }
  // A finished sweep's database, closed (its WAL folded back into the file).
  void finished_database() {
    const auto result = run();
    ASSERT_EQ(result.exit_code, kExitOk) << result.err;
    ASSERT_EQ(sqlite_value(db_, "SELECT count(*) FROM trials WHERE status = 'done'"), "2");
  }
  // Every reader on the database: name and what it returned.
  std::vector<std::pair<std::string, CommandResult>> every_reader() {
    std::vector<std::pair<std::string, CommandResult>> results;
    results.emplace_back("ls sweeps", guarded([&](std::ostream& out) {
                           return ls_sweeps_command({db_, OutputFormat::json}, out);
                         }));
    results.emplace_back("ls trials", guarded([&](std::ostream& out) {
                           return ls_trials_command({db_, {}, {}, {}, OutputFormat::json}, out);
                         }));
    results.emplace_back("status", guarded([&](std::ostream& out) {
                           return status_command({db_, std::nullopt, OutputFormat::json}, out);
                         }));
    results.emplace_back("show", guarded([&](std::ostream& out) {
                           return show_command({db_, "a", OutputFormat::json}, out);
                         }));
    results.emplace_back("export", guarded([&](std::ostream& out) {
                           ExportParams p;
                           p.db = db_;
                           p.sweep = "st";
                           return export_command(p, out);
                         }));
    results.emplace_back("compare", guarded([&](std::ostream& out) {
                           CompareParams p;
                           p.db = db_;
                           p.sweep = "st";
                           return compare_command(p, out);
                         }));
    return results;
  }
  // `comet run` and every reader: exit 3, `cause` and the file named; the file untouched.
  void expect_refused_and_untouched(const std::string& cause) {
    const auto before = slurp(db_);
    const auto result = run();
    EXPECT_EQ(result.exit_code, kExitStorage) << result.err;
    EXPECT_TRUE(has(result.err, "comet: storage error: "));
    EXPECT_TRUE(has(result.err, db_.string()));
    EXPECT_TRUE(has(result.err, cause));
    for (const auto& [name, reader] : every_reader()) {
      SCOPED_TRACE(name);
      EXPECT_EQ(reader.exit_code, kExitStorage) << reader.err;
      EXPECT_TRUE(has(reader.err, db_.string()));
      EXPECT_TRUE(has(reader.err, cause));
    }
    EXPECT_EQ(slurp(db_), before);
  }
  TempDir dir_;
  std::filesystem::path db_ = dir_ / "r.db";
};

TEST_F(StorageErrorsTest, ADamagedHeaderIsExitThreeForRunAndReadersAndTheFileIsLeftAlone) {
  finished_database();
  std::mt19937 rng(7);
  std::string garbage(100, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng());
  {
    std::fstream file(db_, std::ios::in | std::ios::out | std::ios::binary);
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  expect_refused_and_untouched(
      "cannot open results database " + db_.string() +
      ": file is not a database (not an SQLite file, or its header is damaged)");
}

TEST_F(StorageErrorsTest, AFileCutInHalfIsExitThreeForRunAndReadersAndTheFileIsLeftAlone) {
  finished_database();
  const auto size = std::filesystem::file_size(db_);
  ASSERT_GE(size, 8u * 4096u);
  std::filesystem::resize_file(db_, size / 2);
  expect_refused_and_untouched(
      "database disk image is malformed (the file is damaged: truncated or overwritten; "
      "restore it from a copy)");
}

TEST_F(StorageErrorsTest, AFileThatIsNotSqliteIsExitThreeForRunAndReadersAndIsLeftAlone) {
  std::ofstream(db_) << std::string(5000, 'n') << "\nnotes, not a database\n";
  expect_refused_and_untouched("file is not a database");
}

TEST_F(StorageErrorsTest, ADatabaseOfANewerCometIsExitThreeForRunAndReadersAndIsLeftAlone) {
  finished_database();
  execute_sql(db_, "PRAGMA user_version = 4");
  const auto rows_before = sqlite_rows(db_, "SELECT trial_id, epoch, split, name FROM metrics");
  expect_refused_and_untouched("database " + db_.string() +
                               " has schema version 4; this comet understands up to 3");
  EXPECT_EQ(sqlite_rows(db_, "SELECT trial_id, epoch, split, name FROM metrics"), rows_before);
}

// A sweep registered under a hostile name (a database written by anyone), looked up by that name
// and by other hostile text through every reader: each value is a bound parameter or compared in
// C++, so the hostile name finds exactly its sweep, the others find nothing, and no table changes.
TEST_F(StorageErrorsTest, HostileNamesIdsAndWhereValuesAreValuesNeverSql) {
  const std::string hostile = "x'; DROP TABLE trials; --";
  auto spec = sweeps::parse_sweep_text(
      "name: q\ndataset: mnist\nepochs: 2\nlr: 0.1\nwidth: 8\n"
      "grid:\n  model: [comet, standard]\n  seed: [0, 1]\n",
      "q.yaml");
  const auto trials = sweeps::expand_trials(spec);
  spec.name = hostile;
  {
    auto store = results::ResultStore::open(db_);
    store.register_sweep(spec, trials);
    auto plain = spec;
    plain.name = "plain\" OR \"1\"=\"1";
    store.register_sweep(plain, {trials[0]});
    for (const auto& t : trials) {
      const auto attempt = store.start_attempt(t.id, {"h'; --", "cpu", "0.1.0", "1.13", 7});
      for (int e = 1; e <= 2; ++e) {
        store.record_epoch(t.id, {e, {{"val", "acc", 0.5}, {"val", "loss", 1.0}}});
      }
      store.finish_attempt(attempt, results::TrialStatus::done);
    }
  }
  const auto tables_before = sqlite_rows(db_, "SELECT name FROM sqlite_schema ORDER BY name");

  const auto status = guarded([&](std::ostream& out) {
    return status_command({db_, hostile, OutputFormat::json}, out);
  });
  ASSERT_EQ(status.exit_code, kExitOk) << status.err;
  EXPECT_EQ(nlohmann::json::parse(status.out)["sweeps"].at(0)["done"], 4);

  const auto listed = guarded([&](std::ostream& out) {
    return ls_trials_command({db_, hostile, {}, {}, OutputFormat::json}, out);
  });
  ASSERT_EQ(listed.exit_code, kExitOk) << listed.err;
  EXPECT_EQ(nlohmann::json::parse(listed.out).size(), 4u);

  CompareParams compare;
  compare.db = db_;
  compare.sweep = hostile;
  compare.rows = "none";
  compare.cols = "none";
  compare.format = OutputFormat::json;
  const auto compared = guarded([&](std::ostream& out) { return compare_command(compare, out); });
  ASSERT_EQ(compared.exit_code, kExitOk) << compared.err;
  EXPECT_EQ(nlohmann::json::parse(compared.out).size(), 2u);

  ExportParams exported;
  exported.db = db_;
  exported.sweep = hostile;
  exported.curves = true;
  exported.format = OutputFormat::json;
  const auto curves = guarded([&](std::ostream& out) { return export_command(exported, out); });
  ASSERT_EQ(curves.exit_code, kExitOk) << curves.err;
  EXPECT_EQ(nlohmann::json::parse(curves.out).size(), 4u * 2u * 2u);

  // Text that would widen a query if it were pasted into SQL, or read as a LIKE pattern.
  for (const std::string probe :
       {"nope' OR '1'='1", "x'; DROP TABLE trials; -- ", "%", "_", "plain", "' OR 1=1 --"}) {
    SCOPED_TRACE(probe);
    const auto unknown = guarded([&](std::ostream& out) {
      return status_command({db_, probe, OutputFormat::json}, out);
    });
    EXPECT_EQ(unknown.exit_code, kExitBadInput) << unknown.out;
    EXPECT_TRUE(has(unknown.err, "no sweep '" + probe + "'"));
    for (const auto& other :
         {guarded([&](std::ostream& out) {
            return ls_trials_command({db_, probe, {}, {}, OutputFormat::json}, out);
          }),
          guarded([&](std::ostream& out) {
            auto p = exported;
            p.sweep = probe;
            return export_command(p, out);
          }),
          guarded([&](std::ostream& out) {
            auto p = compare;
            p.sweep = probe;
            return compare_command(p, out);
          })}) {
      EXPECT_NE(other.exit_code, kExitOk) << other.out;
      EXPECT_TRUE(has(other.err, "no sweep named '" + probe + "'"));
    }
    const auto shown = guarded([&](std::ostream& out) {
      return show_command({db_, probe, OutputFormat::json}, out);
    });
    EXPECT_EQ(shown.exit_code, kExitBadInput) << shown.out;
    EXPECT_TRUE(has(shown.err, "no trial '" + probe + "'"));
  }
  for (const std::string where : {"model=comet' OR '1'='1", "model=%", "model=comet\" OR 1=1"}) {
    SCOPED_TRACE(where);
    const auto filtered = guarded([&](std::ostream& out) {
      return ls_trials_command({db_, hostile, {where}, {}, OutputFormat::json}, out);
    });
    ASSERT_EQ(filtered.exit_code, kExitOk) << filtered.err;
    EXPECT_EQ(nlohmann::json::parse(filtered.out).size(), 0u);
  }

  EXPECT_EQ(sqlite_rows(db_, "SELECT name FROM sqlite_schema ORDER BY name"), tables_before);
  EXPECT_EQ(sqlite_value(db_, "SELECT count(*) FROM trials"), "4");
  EXPECT_EQ(sqlite_value(db_, "SELECT count(*) FROM sweeps"), "2");
  EXPECT_EQ(sqlite_value(db_, "SELECT count(*) FROM metrics"), "16");
  EXPECT_EQ(sqlite_value(db_, "PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace comet::cli
