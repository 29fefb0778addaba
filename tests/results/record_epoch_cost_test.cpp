// record_epoch runs once per epoch of every trial; it must stay far below a millisecond.

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include "store_test_data.h"
#include "temp_dir.h"

#include "comet/results/result_store.h"

namespace comet::results {
namespace {

using comet::testing::TempDir;
using namespace test_data;

TEST(RecordEpochCost, IsWellUnderAMillisecondPerEpoch) {
  TempDir dir;
  auto store = ResultStore::open(dir / "results.db");
  const auto trials = three_trials();
  const std::string& id = trials[0].id;
  store.register_sweep(sweep_named("widths"), trials);
  store.start_attempt(id, attempt_info());

  // A realistic epoch: loss and accuracy of three splits and the epoch's wall time.
  constexpr int kEpochs = 1000;
  const auto start = std::chrono::steady_clock::now();
  for (int epoch = 1; epoch <= kEpochs; ++epoch) {
    const double x = epoch * 1e-3;
    store.record_epoch(id, EpochRecord{epoch,
                                       {{"train", "loss", 1 - x},
                                        {"train", "acc", x},
                                        {"val", "loss", 1.1 - x},
                                        {"val", "acc", x * 0.9},
                                        {"test", "loss", 1.2 - x},
                                        {"test", "acc", x * 0.8},
                                        {"epoch", "seconds", 3.5}}});
  }
  const std::chrono::duration<double, std::micro> elapsed =
      std::chrono::steady_clock::now() - start;
  const double per_epoch_us = elapsed.count() / kEpochs;
  std::cout << "record_epoch: " << per_epoch_us << " us per epoch of 7 metrics\n";
  RecordProperty("record_epoch_us", std::to_string(per_epoch_us));

  EXPECT_EQ(store.curve(id).size(), 7u * kEpochs);
  EXPECT_LT(per_epoch_us, 1000.0);
}

}  // namespace
}  // namespace comet::results
