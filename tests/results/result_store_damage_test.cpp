// Broken storage under the store: damaged files are refused and left alone, a write that the
// disk refuses (a file size limit) stores nothing of its epoch and leaves a sound file, and
// readers of a current database never write, so a writer holding the lock never stops them.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "file_text.h"
#include "store_test_data.h"
#include "temp_dir.h"

#include "comet/results/result_store.h"

namespace comet::results {
namespace {

using comet::testing::slurp;
using comet::testing::TempDir;
using test_data::contains;
using test_data::RawConnection;
using test_data::store_error_of;

// A store of three trials, the first with `epochs` epochs recorded and its attempt still open
// (as while it trains). Big enough (dozens of pages) that cutting it in half loses pages.
std::vector<sweeps::TrialSpec> filled_store(const std::filesystem::path& path, int epochs) {
  const auto trials = test_data::three_trials();
  auto store = ResultStore::open(path);
  store.register_sweep(test_data::sweep_named("widths"), trials);
  store.start_attempt(trials[0].id, test_data::attempt_info());
  for (int e = 1; e <= epochs; ++e) store.record_epoch(trials[0].id, test_data::epoch_of(e, 0.5));
  return trials;
}

void overwrite_header(const std::filesystem::path& path) {
  std::mt19937 rng(20261123);
  std::string garbage(100, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng());
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
}

TEST(ResultStoreDamage, ADamagedHeaderIsRefusedByWritersAndReadersAndLeftAlone) {
  TempDir dir;
  const auto path = dir / "results.db";
  filled_store(path, 3);
  overwrite_header(path);
  const auto before = slurp(path);

  for (const auto& message : {store_error_of([&] { ResultStore::open(path); }),
                              store_error_of([&] { ResultStore::open_read_only(path); })}) {
    EXPECT_TRUE(contains(message, "cannot open results database " + path.string() +
                                      ": file is not a database (not an SQLite file, or its "
                                      "header is damaged)"));
  }
  EXPECT_EQ(slurp(path), before);
}

TEST(ResultStoreDamage, AFileCutInHalfIsRefusedAsDamagedAndLeftAlone) {
  TempDir dir;
  const auto path = dir / "results.db";
  filled_store(path, 200);
  const auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 16u * 4096u);
  std::filesystem::resize_file(path, size / 2);
  const auto before = slurp(path);

  for (const auto& message : {store_error_of([&] { ResultStore::open(path); }),
                              store_error_of([&] { ResultStore::open_read_only(path); })}) {
    EXPECT_TRUE(contains(message, path.string()));
    EXPECT_TRUE(contains(message,
                         "database disk image is malformed (the file is damaged: "
                         "truncated or overwritten; restore it from a copy)"));
  }
  EXPECT_EQ(slurp(path), before);
}

TEST(ResultStoreDamage, AnEmptyFileIsNamedAsEmptyToReaders) {
  TempDir dir;
  const auto path = dir / "results.db";
  std::ofstream{path};
  EXPECT_EQ(
      store_error_of([&] { ResultStore::open_read_only(path); }),
      "results database " + path.string() + " is empty: no sweep has been registered in it yet");
  EXPECT_EQ(std::filesystem::file_size(path), 0u);
}

// In a child process (the limit and the ignored SIGXFSZ stay there): a file size limit lower
// than the WAL makes the next commit fail with EFBIG. Returns the StoreError's message.
std::string record_epoch_over_a_file_size_limit(const std::filesystem::path& path,
                                                const std::string& trial, int epoch) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return "no pipe";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(pipe_fds[0]);
    std::string message = "no error";
    try {
      auto store = ResultStore::open(path);
      ::signal(SIGXFSZ, SIG_IGN);
      const rlimit limit{1, 1};
      ::setrlimit(RLIMIT_FSIZE, &limit);
      store.record_epoch(trial, test_data::epoch_of(epoch, 0.75));
    } catch (const StoreError& e) {
      message = e.what();
    }
    (void)!::write(pipe_fds[1], message.data(), message.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
    message.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return message;
}

TEST(ResultStoreDamage, AnEpochTheDiskRefusesIsStoredNotAtAllAndTheFileStaysSound) {
  TempDir dir;
  const auto path = dir / "results.db";
  const auto trials = filled_store(path, 2);

  const auto message = record_epoch_over_a_file_size_limit(path, trials[0].id, 3);
  EXPECT_TRUE(contains(message, "cannot write results database " + path.string() +
                                    ": disk I/O error (File too large)"));

  RawConnection raw(path);
  EXPECT_EQ(raw.single("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(raw.rows("SELECT epoch, count(*) FROM metrics GROUP BY epoch ORDER BY epoch"),
            (std::vector<std::vector<std::string>>{{"1", "3"}, {"2", "3"}}));
  // Without the limit the same epoch goes in, once.
  auto store = ResultStore::open(path);
  store.record_epoch(trials[0].id, test_data::epoch_of(3, 0.75));
  EXPECT_EQ(store.stored_epoch_prefix(trials[0].id), 3);
}

// A writer holds the write lock (an uncommitted transaction): every read path of a current
// database answers at once, from the last commit. Readers never write a current database (no
// upgrade to make), so they never wait for the lock.
TEST(ResultStoreDamage, EveryReadPathAnswersWhileAWriterHoldsTheLock) {
  TempDir dir;
  const auto path = dir / "results.db";
  const auto trials = filled_store(path, 2);
  RawConnection writer(path);
  writer.execute("BEGIN IMMEDIATE");
  writer.execute("DELETE FROM metrics");

  const auto start = std::chrono::steady_clock::now();
  auto reader = ResultStore::open_read_only(path);
  EXPECT_EQ(reader.list_trials("widths").at(0).epochs_done, 2);
  EXPECT_EQ(reader.list_trials().size(), 3u);
  EXPECT_EQ(reader.list_sweeps().at(0).running, 1);
  EXPECT_EQ(reader.sweep_names(), std::vector<std::string>{"widths"});
  EXPECT_EQ(reader.curve(trials[0].id).size(), 6u);
  EXPECT_EQ(reader.stored_epoch_prefix(trials[0].id), 2);
  EXPECT_EQ(reader.attempts(trials[0].id).size(), 1u);
  EXPECT_EQ(reader.metric_series("widths", "val", "acc").size(), 1u);
  EXPECT_TRUE(reader.list_analyses().empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  writer.execute("ROLLBACK");
}

}  // namespace
}  // namespace comet::results
