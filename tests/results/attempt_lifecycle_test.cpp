// Attempts: start, finish, fail, resume.

#include <gtest/gtest.h>

#include "store_test_data.h"
#include "temp_dir.h"

#include "comet/results/result_store.h"

namespace comet::results {
namespace {

using comet::testing::TempDir;
using namespace test_data;

std::vector<int> epochs_of(const std::vector<MetricPoint>& curve, const std::string& split,
                           const std::string& name) {
  std::vector<int> epochs;
  for (const auto& point : curve) {
    if (point.split == split && point.name == name) epochs.push_back(point.epoch);
  }
  return epochs;
}

TEST(AttemptLifecycle, PendingRunningDoneWithTheAttemptRow) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  const std::string& id = trials[0].id;
  store.register_sweep(sweep_named("widths"), trials);
  EXPECT_EQ(store.trial_status(id), TrialStatus::pending);

  const auto attempt = store.start_attempt(id, attempt_info());
  EXPECT_EQ(store.trial_status(id), TrialStatus::running);
  RawConnection raw(dir / "results.db");
  auto row = raw.rows(
      "SELECT trial_id, host, device, comet_version, torch_version, started_at, "
      "ended_at, outcome, error FROM attempts WHERE id = " +
      std::to_string(attempt));
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0][0], id);
  EXPECT_EQ(row[0][1], "node-7");
  EXPECT_EQ(row[0][2], "cuda:0");
  EXPECT_EQ(row[0][3], "0.1.0 (abc123)");
  EXPECT_EQ(row[0][4], "2.1.0");
  EXPECT_TRUE(is_utc_timestamp(row[0][5])) << row[0][5];
  EXPECT_EQ(row[0][6], "NULL");
  EXPECT_EQ(row[0][7], "NULL");

  store.set_trainable_parameters(id, 123456);
  store.record_epoch(id, epoch_of(1, 0.5));
  store.record_epoch(id, epoch_of(2, 0.6));
  store.finish_attempt(attempt, TrialStatus::done);

  EXPECT_EQ(store.trial_status(id), TrialStatus::done);
  row =
      raw.rows("SELECT ended_at, outcome, error, ended_at >= started_at FROM attempts WHERE id = " +
               std::to_string(attempt));
  EXPECT_TRUE(is_utc_timestamp(row[0][0])) << row[0][0];
  EXPECT_EQ(row[0][1], "done");
  EXPECT_EQ(row[0][2], "NULL");
  EXPECT_EQ(row[0][3], "1");
  EXPECT_EQ(
      raw.single("SELECT count(*) FROM metrics WHERE attempt_id = " + std::to_string(attempt)),
      "6");
  EXPECT_EQ(store.list_trials("widths")[0].trainable_parameters, 123456);
}

TEST(AttemptLifecycle, FailureIsReportedUntilALaterAttemptSucceeds) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  const std::string& id = trials[0].id;
  store.register_sweep(sweep_named("widths"), trials);

  const auto first = store.start_attempt(id, attempt_info());
  store.finish_attempt(first, TrialStatus::failed, "CUDA out of memory");
  auto row = store.list_trials("widths")[0];
  EXPECT_EQ(row.status, TrialStatus::failed);
  EXPECT_EQ(row.last_error, "CUDA out of memory");

  const auto second = store.start_attempt(id, attempt_info());
  EXPECT_GT(second, first);
  store.finish_attempt(second, TrialStatus::done);
  row = store.list_trials("widths")[0];
  EXPECT_EQ(row.status, TrialStatus::done);
  EXPECT_EQ(row.last_error, "");
}

TEST(AttemptLifecycle, DivergedKeepsItsReason) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  store.register_sweep(sweep_named("widths"), trials);
  const auto attempt = store.start_attempt(trials[0].id, attempt_info());
  store.finish_attempt(attempt, TrialStatus::diverged, "loss is NaN at epoch 3");
  const auto row = store.list_trials("widths")[0];
  EXPECT_EQ(row.status, TrialStatus::diverged);
  EXPECT_EQ(row.last_error, "loss is NaN at epoch 3");
}

TEST(AttemptLifecycle, ANewAttemptClosesOneLeftOpenByADeadProcess) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  const std::string& id = trials[0].id;
  store.register_sweep(sweep_named("widths"), trials);
  const auto abandoned = store.start_attempt(id, attempt_info());
  store.record_epoch(id, epoch_of(1, 0.5));
  const auto fresh = store.start_attempt(id, attempt_info(), 1);

  RawConnection raw(dir / "results.db");
  EXPECT_EQ(raw.single("SELECT outcome FROM attempts WHERE id = " + std::to_string(abandoned)),
            "interrupted");
  EXPECT_EQ(raw.single("SELECT outcome FROM attempts WHERE id = " + std::to_string(fresh)), "NULL");
  store.record_epoch(id, epoch_of(2, 0.6));
  EXPECT_EQ(raw.single("SELECT attempt_id FROM metrics WHERE epoch = 2 AND split = 'val'"),
            std::to_string(fresh));
  EXPECT_TRUE(contains(store_error_of([&] { store.finish_attempt(abandoned, TrialStatus::done); }),
                       "already ended as interrupted"));
}

TEST(AttemptLifecycle, ErrorsForUnknownOrFinishedThings) {
  TempDir dir;
  const auto path = dir / "results.db";
  auto store = ResultStore::open(path);
  const auto trials = three_trials();
  store.register_sweep(sweep_named("widths"), trials);

  EXPECT_EQ(store_error_of([&] { store.start_attempt("0123456789abcdef", attempt_info()); }),
            "no trial 0123456789abcdef in " + path.string());
  EXPECT_FALSE(store.trial_status("0123456789abcdef").has_value());
  EXPECT_TRUE(contains(store_error_of([&] { store.record_epoch(trials[0].id, epoch_of(1, 0.5)); }),
                       "has no running attempt"));
  EXPECT_TRUE(contains(store_error_of([&] { store.finish_attempt(999, TrialStatus::done); }),
                       "no attempt 999"));
  EXPECT_TRUE(contains(store_error_of([&] { store.set_trainable_parameters("nope", 5); }),
                       "no trial nope"));

  const auto attempt = store.start_attempt(trials[0].id, attempt_info());
  EXPECT_TRUE(contains(store_error_of([&] { store.finish_attempt(attempt, TrialStatus::running); }),
                       "cannot finish as 'running'"));
  store.finish_attempt(attempt, TrialStatus::done);
  EXPECT_TRUE(contains(store_error_of([&] { store.finish_attempt(attempt, TrialStatus::failed); }),
                       "already ended as done"));
  EXPECT_EQ(store.trial_status(trials[0].id), TrialStatus::done);
  EXPECT_TRUE(contains(store_error_of([&] { store.record_epoch(trials[0].id, epoch_of(1, 0.5)); }),
                       "has no running attempt"));
}

TEST(StartAttempt, ResumeDeletesOnlyLaterEpochs) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  const std::string& id = trials[0].id;
  const std::string& other = trials[1].id;
  store.register_sweep(sweep_named("widths"), trials);
  const auto first = store.start_attempt(id, attempt_info());
  for (int epoch = 1; epoch <= 5; ++epoch) store.record_epoch(id, epoch_of(epoch, epoch / 10.0));
  store.finish_attempt(first, TrialStatus::failed, "killed");
  store.start_attempt(other, attempt_info());
  store.record_epoch(other, epoch_of(4, 0.9));

  const auto second = store.start_attempt(id, attempt_info(), 3);
  EXPECT_EQ(epochs_of(store.curve(id), "val", "acc"), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(epochs_of(store.curve(other), "val", "acc"), std::vector<int>{4});  // untouched
  store.record_epoch(id, epoch_of(4, 0.44));

  RawConnection raw(dir / "results.db");
  const auto owners = raw.rows("SELECT epoch, attempt_id FROM metrics WHERE trial_id = '" + id +
                               "' AND split = 'val' ORDER BY epoch");
  ASSERT_EQ(owners.size(), 4u);
  EXPECT_EQ(owners[2][1], std::to_string(first));
  EXPECT_EQ(owners[3][1], std::to_string(second));
  const auto row = store.list_trials("widths")[0];
  EXPECT_EQ(row.epochs_done, 4);
  EXPECT_EQ(row.final_val_acc, 0.44);

  store.start_attempt(id, attempt_info(), 0);  // a fresh start discards everything
  EXPECT_TRUE(store.curve(id).empty());
}

// Ctrl-C: the attempt ends `interrupted`, the trial is pending again with its epochs kept.
TEST(InterruptAttempt, PutsTheTrialBackToPendingAndKeepsItsEpochs) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  const std::string& id = trials[0].id;
  store.register_sweep(sweep_named("widths"), trials);
  const auto attempt = store.start_attempt(id, attempt_info());
  store.record_epoch(id, epoch_of(1, 0.5));
  store.record_epoch(id, epoch_of(2, 0.6));
  store.interrupt_attempt(attempt, "stopped by an interrupt");
  EXPECT_EQ(store.trial_status(id), TrialStatus::pending);
  const auto attempts = store.attempts(id);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, "interrupted");
  EXPECT_EQ(attempts[0].kind, "interrupted");
  EXPECT_EQ(attempts[0].error, "stopped by an interrupt");
  EXPECT_NE(attempts[0].ended_at, "");
  EXPECT_EQ(store.stored_epoch_prefix(id), 2);
  EXPECT_THROW(store.interrupt_attempt(attempt, "again"), StoreError);  // already ended
}

TEST(StoredEpochPrefix, CountsOnlyEpochsWithoutAHoleBeforeThem) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  const std::string& id = trials[0].id;
  store.register_sweep(sweep_named("widths"), trials);
  EXPECT_EQ(store.stored_epoch_prefix(id), 0);
  store.start_attempt(id, attempt_info());
  store.record_epoch(id, epoch_of(2, 0.5));
  EXPECT_EQ(store.stored_epoch_prefix(id), 0);  // epoch 1 is missing
  store.record_epoch(id, epoch_of(1, 0.4));
  store.record_epoch(id, epoch_of(4, 0.7));
  EXPECT_EQ(store.stored_epoch_prefix(id), 2);
  store.record_epoch(id, epoch_of(3, 0.6));
  EXPECT_EQ(store.stored_epoch_prefix(id), 4);
}

}  // namespace
}  // namespace comet::results
