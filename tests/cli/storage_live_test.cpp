// `comet run` as a child process meeting storage failures: a full disk (a file size limit,
// RLIMIT_FSIZE) while the scheduler writes the database, while a worker writes a checkpoint, and
// before the database exists; a read-only database file and a read-only folder (run as an
// unprivileged user when the tests run as root, whom permissions do not stop). Each is exit 3
// naming the file and the cause; the database stays sound (integrity_check), every epoch is in
// it whole or not at all, nothing is marked failed, and a rerun without the fault completes
// with the curves of an uninterrupted run. Then a second `comet run` and every reader against
// a database a live `comet run` is writing.

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "comet_process.h"
#include "file_text.h"
#include "guarded_command.h"
#include "sqlite_rows.h"
#include "temp_dir.h"

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/results/result_store.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::cli {
namespace {

using testing::CometProcess;
using testing::CometProcessOptions;
using testing::slurp;
using testing::sqlite_rows;
using testing::sqlite_value;
using testing::TempDir;
using Clock = std::chrono::steady_clock;

// Two trials of five epochs on one CPU worker: long enough (a second or two) for a fault to land
// mid-run, every epoch 5 metrics (train/val loss and accuracy, seconds).
constexpr const char* kLiveSweep =
    "name: live\ndataset: synthetic_clusters\nsynthetic_clusters.count: 3000\n"
    "synthetic_clusters.dims: 32\nsynthetic_clusters.classes: 4\nepochs: 5\nlr: 0.002\n"
    "optimizer: adam\nnorm: batch\nwidth: 64\np_k: 0.5\nbatch_size: 16\n"
    "grid:\n  model: [dropout, comet]\n";

::testing::AssertionResult mentions(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

// (trial, epoch) pairs committed so far; 0 while the database or its schema does not exist.
int committed_epochs(const std::filesystem::path& db) {
  try {
    return std::stoi(
        sqlite_value(db, "SELECT count(DISTINCT trial_id || '/' || epoch) FROM metrics"));
  } catch (const std::exception&) {
    return 0;
  }
}

// Waits until `epochs` are committed while `run` is still running (false if it ended first).
bool wait_for_epochs(CometProcess& run, const std::filesystem::path& db, int epochs) {
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < deadline) {
    if (committed_epochs(db) >= epochs) return run.running();
    if (!run.running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

bool process_gone(std::int64_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, name, state;
  if (!(stat >> pid_field >> name >> state)) return true;
  return state == "Z" || state == "X";
}

// What a storage failure may leave: a sound file, each epoch whole (5 metrics) or absent and
// each trial's epochs 1..E without a hole, no trial failed, a trial `running` exactly when an
// attempt of it is open, and no worker process left.
void expect_consistent_after_a_storage_failure(const std::filesystem::path& db) {
  EXPECT_EQ(sqlite_value(db, "PRAGMA integrity_check"), "ok");
  for (const auto& row :
       sqlite_rows(db, "SELECT trial_id, epoch, count(*) FROM metrics GROUP BY trial_id, epoch")) {
    EXPECT_EQ(row[2], "5") << row[0] << " epoch " << row[1];
  }
  EXPECT_EQ(sqlite_value(db,
                         "SELECT count(*) FROM (SELECT trial_id FROM metrics GROUP BY trial_id "
                         "HAVING max(epoch) <> count(DISTINCT epoch))"),
            "0");
  EXPECT_EQ(sqlite_value(db, "SELECT count(*) FROM trials WHERE status IN ('failed', 'diverged')"),
            "0");
  EXPECT_EQ(sqlite_value(db,
                         "SELECT count(*) FROM trials t WHERE (t.status = 'running') <> "
                         "EXISTS (SELECT 1 FROM attempts a WHERE a.trial_id = t.id AND "
                         "a.outcome IS NULL)"),
            "0");
  for (const auto& row : sqlite_rows(db, "SELECT worker_pid FROM attempts")) {
    if (row[0] != "NULL") {
      EXPECT_TRUE(process_gone(std::stoll(row[0]))) << "worker " << row[0];
    }
  }
}

std::map<std::tuple<int, std::string, std::string>, double> curve_without_seconds(
    const results::ResultStore& store, const std::string& trial) {
  std::map<std::tuple<int, std::string, std::string>, double> out;
  for (const auto& p : store.curve(trial)) {
    if (p.split != "epoch") out[{p.epoch, p.split, p.name}] = p.value;
  }
  return out;
}

// Every trial done, every attempt closed, each epoch once, the curves bit for bit the
// uninterrupted run's.
void expect_the_uninterrupted_curves(const std::filesystem::path& db,
                                     const std::filesystem::path& reference_db) {
  EXPECT_EQ(sqlite_value(db, "PRAGMA integrity_check"), "ok");
  auto store = results::ResultStore::open_read_only(db);
  auto reference = results::ResultStore::open_read_only(reference_db);
  const auto rows = store.list_trials("live");
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    SCOPED_TRACE(row.id);
    EXPECT_EQ(row.status, results::TrialStatus::done);
    EXPECT_EQ(store.curve(row.id).size(), 25u);  // 5 epochs x 5 metrics, each once
    EXPECT_EQ(curve_without_seconds(store, row.id), curve_without_seconds(reference, row.id));
    for (const auto& attempt : store.attempts(row.id)) EXPECT_NE(attempt.outcome, "");
  }
}

class StorageLiveTest : public ::testing::Test {
 protected:
  void SetUp() override { std::ofstream(dir_ / "sweep.yaml") << kLiveSweep; }
  std::vector<std::string> run_args(const std::filesystem::path& db,
                                    const std::string& sweep = "sweep.yaml") const {
    return {"run", (dir_ / sweep).string(), "--db", db.string(), "--devices",
            "cpu", "--jobs-per-device",     "1",    "--threads", "1"};
  }
  std::string resume_hint(const std::filesystem::path& db) const {
    return "resume with: comet run " + (dir_ / "sweep.yaml").string() + " --db " + db.string();
  }
  void run_reference() {
    CometProcess run(run_args(reference_));
    ASSERT_EQ(run.wait(), kExitOk) << run.err();
  }
  TempDir dir_;
  std::filesystem::path reference_ = dir_ / "reference.db";
  std::filesystem::path db_ = dir_ / "r.db";
};

TEST_F(StorageLiveTest, AFullDiskWhileTheSchedulerWritesTheDatabaseStopsTheRunCleanly) {
  run_reference();
  CometProcess run(run_args(db_));
  ASSERT_TRUE(wait_for_epochs(run, db_, 1)) << run.err();
  // From now on every write of the scheduler past the first byte of a file fails (EFBIG), as
  // on a full disk; its workers (started before) can still write their checkpoints.
  const rlimit limit{1, 1};
  ASSERT_EQ(::prlimit(run.pid(), RLIMIT_FSIZE, &limit, nullptr), 0);
  EXPECT_EQ(run.wait(), kExitStorage) << run.err();
  EXPECT_TRUE(mentions(run.err(), "comet: storage error: cannot write results database " +
                                      db_.string() + ": disk I/O error (File too large)"));
  EXPECT_TRUE(mentions(run.err(), "; the run stopped"));
  EXPECT_TRUE(mentions(run.err(), resume_hint(db_)));
  expect_consistent_after_a_storage_failure(db_);
  EXPECT_GE(committed_epochs(db_), 1);

  CometProcess status({"status", "--db", db_.string()});
  EXPECT_EQ(status.wait(), kExitOk) << status.err();
  CometProcess rerun(run_args(db_));
  ASSERT_EQ(rerun.wait(), kExitOk) << rerun.err();
  expect_the_uninterrupted_curves(db_, reference_);
}

TEST_F(StorageLiveTest, AFullDiskWhileAWorkerWritesACheckpointStopsTheRunAndMarksNothingFailed) {
  run_reference();
  CometProcess run(run_args(db_));
  ASSERT_TRUE(wait_for_epochs(run, db_, 1)) << run.err();
  const auto worker = std::stoll(sqlite_value(
      db_, "SELECT worker_pid FROM attempts WHERE outcome IS NULL ORDER BY id DESC LIMIT 1"));
  // The worker's next checkpoint cannot be written; the scheduler's database can.
  const rlimit limit{1, 1};
  ASSERT_EQ(::prlimit(static_cast<pid_t>(worker), RLIMIT_FSIZE, &limit, nullptr), 0);
  EXPECT_EQ(run.wait(), kExitStorage) << run.err();
  const auto run_dir = db_.string() + ".runs/";
  EXPECT_TRUE(mentions(run.err(), "comet: storage error: cannot write checkpoint " + run_dir));
  EXPECT_TRUE(mentions(run.err(),
                       ".ckpt.tmp: File too large; the run stopped: 1 trial(s) "
                       "stopped (they resume from their checkpoints)"));
  EXPECT_TRUE(mentions(run.err(), resume_hint(db_)));
  expect_consistent_after_a_storage_failure(db_);
  // The database took the ending: the attempt is closed as interrupted, with the reason.
  EXPECT_EQ(sqlite_value(db_, "SELECT count(*) FROM attempts WHERE outcome IS NULL"), "0");
  EXPECT_EQ(sqlite_value(db_, "SELECT count(*) FROM trials WHERE status = 'running'"), "0");
  EXPECT_EQ(sqlite_value(db_,
                         "SELECT count(*) FROM attempts WHERE outcome = 'interrupted' AND "
                         "error LIKE '%cannot write checkpoint%File too large%'"),
            "1");
  for (const auto& entry : std::filesystem::directory_iterator(run_dir)) {
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();  // no half checkpoint left
  }

  CometProcess rerun(run_args(db_));
  ASSERT_EQ(rerun.wait(), kExitOk) << rerun.err();
  expect_the_uninterrupted_curves(db_, reference_);
}

TEST_F(StorageLiveTest, AFullDiskBeforeTheDatabaseExistsIsExitThreeAndARerunCompletes) {
  run_reference();
  CometProcessOptions full;
  full.file_size_limit = 1;
  CometProcess run(run_args(db_), full);
  EXPECT_EQ(run.wait(), kExitStorage) << run.err();
  EXPECT_TRUE(mentions(run.err(), "comet: storage error: "));
  EXPECT_TRUE(mentions(run.err(), db_.string()));
  EXPECT_TRUE(mentions(run.err(), "(File too large)"));
  CometProcess status({"status", "--db", db_.string()});
  EXPECT_EQ(status.wait(), kExitStorage);
  EXPECT_TRUE(mentions(status.err(), db_.string()));

  CometProcess rerun(run_args(db_));
  ASSERT_EQ(rerun.wait(), kExitOk) << rerun.err();
  expect_the_uninterrupted_curves(db_, reference_);
}

// As root (CI) permissions do not stop writes, so these run comet as the user `nobody`; as
// anyone else, as that user. Skipped only where neither works (no setuid, or `nobody` cannot
// execute the build's binary).
class ReadOnlyStorageTest : public StorageLiveTest {
 protected:
  void SetUp() override {
    StorageLiveTest::SetUp();
    if (::geteuid() == 0) {
      const passwd* nobody = ::getpwnam("nobody");
      if (nobody == nullptr) GTEST_SKIP() << "running as root and there is no user 'nobody'";
      as_user_.user = nobody->pw_uid;
      as_user_.group = nobody->pw_gid;
      CometProcess probe({"--version"}, as_user_);
      if (probe.wait() != 0) {
        // The build folder may be closed to others (a checkout under /root): a copy of the
        // binary (it links only system libraries) in this test's folder.
        as_user_.binary = (dir_ / "comet").string();
        std::filesystem::copy_file(testing::kCometBinary, as_user_.binary);
        CometProcess copy({"--version"}, as_user_);
        if (copy.wait() != 0) {
          GTEST_SKIP() << "running as root and `comet --version` cannot run as user nobody (exit "
                       << copy.wait() << "): " << copy.err();
        }
      }
    }
  }
  // A folder a test left read-only is writable again, so that its TempDir can be removed.
  void TearDown() override {
    std::error_code ec;
    for (std::filesystem::recursive_directory_iterator it(dir_.path(), ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->is_directory(ec)) {
        std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::add, ec);
      }
    }
  }
  // Gives the folder (and everything in it) to the user comet runs as.
  void hand_over(const std::filesystem::path& path) const {
    if (!as_user_.user) return;
    ASSERT_EQ(::chown(path.c_str(), *as_user_.user, *as_user_.group), 0);
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
        ASSERT_EQ(::chown(entry.path().c_str(), *as_user_.user, *as_user_.group), 0);
      }
    }
  }
  // A database with the sweep registered and nothing run yet.
  void registered_database(const std::filesystem::path& db) const {
    auto spec = sweeps::parse_sweep_file(dir_ / "sweep.yaml");
    auto store = results::ResultStore::open(db);
    store.register_sweep(spec, sweeps::expand_trials(spec));
  }
  std::vector<std::string> user_run_args(const std::filesystem::path& db) const {
    auto args = run_args(db);
    args.push_back("--data-root");
    args.push_back((db.parent_path() / "data").string());
    return args;
  }
  CometProcessOptions as_user_;
};

TEST_F(ReadOnlyStorageTest, ADatabaseFileThatCannotBeWrittenIsExitThreeAndLeftAlone) {
  run_reference();
  const auto folder = dir_ / "file-ro";
  std::filesystem::create_directory(folder);
  const auto db = folder / "r.db";
  registered_database(db);
  hand_over(folder);
  // Its owner may not write it (for root's `nobody`: root keeps the file).
  if (as_user_.user) {
    ASSERT_EQ(::chown(db.c_str(), 0, 0), 0);
  }
  std::filesystem::permissions(db, std::filesystem::perms::owner_read |
                                       std::filesystem::perms::group_read |
                                       std::filesystem::perms::others_read);
  const auto before = slurp(db);

  CometProcess run(user_run_args(db), as_user_);
  EXPECT_EQ(run.wait(), kExitStorage) << run.err();
  EXPECT_TRUE(mentions(run.err(), "comet: storage error: cannot write results database " +
                                      db.string() +
                                      ": it can only be opened read-only (the file is not "
                                      "writable: Permission denied)"));
  EXPECT_EQ(slurp(db), before);
  // A reader reads it and leaves no -shm or -wal file (SQLite would create them read-only, with
  // the file's permissions, and they would then stop the owner's next run).
  CometProcess reader({"ls", "trials", "--db", db.string()}, as_user_);
  EXPECT_EQ(reader.wait(), kExitOk) << reader.err();
  EXPECT_FALSE(std::filesystem::exists(db.string() + "-shm"));
  EXPECT_FALSE(std::filesystem::exists(db.string() + "-wal"));

  // Writable again: the run completes.
  hand_over(db);
  std::filesystem::permissions(db, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  CometProcess rerun(user_run_args(db), as_user_);
  ASSERT_EQ(rerun.wait(), kExitOk) << rerun.err();
  expect_the_uninterrupted_curves(db, reference_);
}

TEST_F(ReadOnlyStorageTest, AFolderThatCannotBeWrittenIsExitThreeReadersStillRead) {
  run_reference();
  const auto folder = dir_ / "folder-ro";
  std::filesystem::create_directory(folder);
  const auto db = folder / "r.db";
  registered_database(db);
  hand_over(folder);
  const auto read_only = std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec |
                         std::filesystem::perms::group_read | std::filesystem::perms::group_exec |
                         std::filesystem::perms::others_read | std::filesystem::perms::others_exec;
  std::filesystem::permissions(folder, read_only);
  const auto before = slurp(db);

  // No run folder yet: it cannot be created.
  CometProcess first(user_run_args(db), as_user_);
  EXPECT_EQ(first.wait(), kExitStorage) << first.err();
  EXPECT_TRUE(mentions(first.err(), "comet: storage error: cannot create the run folder " +
                                        db.string() + ".runs: Permission denied"));
  // With a run folder (left by an earlier run), SQLite cannot create the database's -wal and
  // -shm files beside it.
  std::filesystem::permissions(folder, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  std::filesystem::create_directory(db.string() + ".runs");
  hand_over(db.string() + ".runs");
  std::filesystem::permissions(folder, read_only);
  CometProcess second(user_run_args(db), as_user_);
  EXPECT_EQ(second.wait(), kExitStorage) << second.err();
  EXPECT_TRUE(mentions(second.err(), "comet: storage error: "));
  EXPECT_TRUE(mentions(second.err(), db.string()));
  EXPECT_TRUE(mentions(second.err(),
                       "(its folder " + folder.string() + " is not writable: Permission denied"));
  EXPECT_EQ(slurp(db), before);
  // Readers read it without the -shm file (nobody can be writing it).
  CometProcess reader({"ls", "trials", "--db", db.string(), "--format", "csv"}, as_user_);
  EXPECT_EQ(reader.wait(), kExitOk) << reader.err();
  EXPECT_EQ(std::count(reader.out().begin(), reader.out().end(), '\n'), 3) << reader.out();

  std::filesystem::permissions(folder, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  CometProcess rerun(user_run_args(db), as_user_);
  ASSERT_EQ(rerun.wait(), kExitOk) << rerun.err();
  expect_the_uninterrupted_curves(db, reference_);
}

// While `comet run` writes the database: a second `comet run` refuses (exit 3, naming the first
// by pid) and changes nothing; every reader answers, in-process and as its own process, without
// a busy or locked error.
TEST_F(StorageLiveTest, ASecondRunRefusesAndEveryReaderAnswersDuringALiveRun) {
  // Long enough (20 epochs a trial, some seconds) for all of it to happen while it runs.
  std::ofstream(dir_ / "sweep.yaml")
      << std::regex_replace(kLiveSweep, std::regex("epochs: 5"), "epochs: 20");
  std::ofstream(dir_ / "other.yaml")
      << "name: other\ndataset: synthetic_clusters\nepochs: 1\nlr: 0.01\nwidth: 8\n"
         "model: standard\n";
  CometProcess run(run_args(db_));
  ASSERT_TRUE(wait_for_epochs(run, db_, 1)) << run.err();
  const auto trial = sqlite_value(db_, "SELECT id FROM trials ORDER BY id LIMIT 1");

  // The second run and the binary readers at once, then the in-process readers in a loop until
  // the run ends.
  CometProcess second(run_args(db_, "other.yaml"));
  std::vector<std::vector<std::string>> binary_readers = {
      {"ls", "sweeps", "--db", db_.string()},
      {"ls", "trials", "--db", db_.string()},
      {"status", "--db", db_.string()},
      {"show", trial, "--db", db_.string()},
      {"export", "live", "--curves", "--db", db_.string()}};
  std::vector<std::unique_ptr<CometProcess>> readers;
  for (const auto& args : binary_readers) readers.push_back(std::make_unique<CometProcess>(args));
  EXPECT_EQ(second.wait(), kExitStorage) << second.err();
  EXPECT_TRUE(mentions(second.err(),
                       "comet: storage error: another comet run is using this "
                       "database (pid " +
                           std::to_string(run.pid()) + " on host "));
  for (std::size_t i = 0; i < readers.size(); ++i) {
    EXPECT_EQ(readers[i]->wait(), kExitOk) << binary_readers[i][0] << ": " << readers[i]->err();
  }
  EXPECT_TRUE(run.running());
  int rounds_while_live = 0;
  while (run.running()) {
    std::vector<std::pair<std::string, testing::CommandResult>> answers;
    answers.emplace_back("ls sweeps", testing::guarded([&](std::ostream& out) {
                           return ls_sweeps_command({db_, OutputFormat::json}, out);
                         }));
    answers.emplace_back("ls trials", testing::guarded([&](std::ostream& out) {
                           return ls_trials_command({db_, "live", {}, {}, OutputFormat::csv}, out);
                         }));
    answers.emplace_back("status", testing::guarded([&](std::ostream& out) {
                           return status_command({db_, "live", OutputFormat::table}, out);
                         }));
    answers.emplace_back("show", testing::guarded([&](std::ostream& out) {
                           return show_command({db_, trial, OutputFormat::json}, out);
                         }));
    answers.emplace_back("export", testing::guarded([&](std::ostream& out) {
                           ExportParams p;
                           p.db = db_;
                           p.sweep = "live";
                           p.curves = true;
                           return export_command(p, out);
                         }));
    answers.emplace_back("compare", testing::guarded([&](std::ostream& out) {
                           CompareParams p;
                           p.db = db_;
                           p.sweep = "live";
                           p.rows = "none";
                           p.cols = "none";
                           return compare_command(p, out);
                         }));
    for (const auto& [name, answer] : answers) {
      // compare has nothing to compare before a trial is done (exit 2, "no ... values" or
      // "no done trials"); no reader may ever meet a storage error.
      if (name == "compare") {
        EXPECT_NE(answer.exit_code, kExitStorage) << answer.err;
      } else {
        EXPECT_EQ(answer.exit_code, kExitOk) << name << ": " << answer.err;
      }
      EXPECT_FALSE(mentions(answer.err, "storage error")) << name;
    }
    rounds_while_live += run.running();
    // A pause between rounds leaves the cores to the run (2 on CI).
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(run.wait(), kExitOk) << run.err();
  EXPECT_GE(rounds_while_live, 3);

  EXPECT_EQ(sqlite_rows(db_, "SELECT name FROM sweeps"),
            (std::vector<std::vector<std::string>>{{"live"}}));
  EXPECT_EQ(sqlite_value(db_, "SELECT count(*) FROM trials"), "2");
  EXPECT_EQ(sqlite_value(db_, "SELECT count(*) FROM metrics"), "200");
  EXPECT_EQ(sqlite_value(db_, "PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace comet::cli
