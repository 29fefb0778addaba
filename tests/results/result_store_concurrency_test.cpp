// WAL: a reader is never blocked by the writer, and the writer never by a reader.

#include <gtest/gtest.h>

#include <chrono>

#include "store_test_data.h"
#include "temp_dir.h"

#include "comet/results/result_store.h"

namespace comet::results {
namespace {

using comet::testing::TempDir;
using namespace test_data;
using Clock = std::chrono::steady_clock;

TEST(Concurrency, AReaderReadsTheCommittedStateWhileAWriteTransactionIsOpen) {
  TempDir dir;
  const auto path = dir / "results.db";
  const auto trials = three_trials();
  {
    auto store = ResultStore::open(path);
    store.register_sweep(sweep_named("widths"), trials);
  }
  RawConnection writer(path);
  writer.execute("BEGIN IMMEDIATE");
  writer.execute("UPDATE trials SET status = 'failed'");

  const auto start = Clock::now();
  auto reader = ResultStore::open_read_only(path);
  const auto rows = reader.list_trials("widths");
  const auto waited = Clock::now() - start;
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].status, TrialStatus::pending);  // the uncommitted update is invisible
  EXPECT_LT(waited, std::chrono::seconds(1));       // far below the 5 s busy timeout

  writer.execute("COMMIT");
  EXPECT_EQ(reader.trial_status(trials[0].id), TrialStatus::failed);
}

TEST(Concurrency, TheStoreWritesWhileAReaderHoldsASnapshot) {
  TempDir dir;
  const auto path = dir / "results.db";
  const auto trials = three_trials();
  auto store = ResultStore::open(path);
  store.register_sweep(sweep_named("widths"), trials);
  store.start_attempt(trials[0].id, attempt_info());

  RawConnection reader(path);
  reader.execute("BEGIN");
  EXPECT_EQ(reader.single("SELECT count(*) FROM metrics"), "0");

  const auto start = Clock::now();
  store.record_epoch(trials[0].id, epoch_of(1, 0.5));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(reader.single("SELECT count(*) FROM metrics"), "0");  // its snapshot is stable
  reader.execute("COMMIT");
  EXPECT_EQ(reader.single("SELECT count(*) FROM metrics"), "3");
}

TEST(Concurrency, TwoWritersOnOneFileSeeEachOthersSweeps) {
  TempDir dir;
  const auto path = dir / "results.db";
  auto first = ResultStore::open(path);
  auto second = ResultStore::open(path);
  first.register_sweep(sweep_named("alpha"), three_trials());
  second.register_sweep(sweep_named("beta"), {trial_of(config_of(8, 0.1, 1))});
  EXPECT_EQ(first.sweep_names(), (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(second.list_trials().size(), 4u);
}

}  // namespace
}  // namespace comet::results
