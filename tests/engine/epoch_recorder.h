#pragma once
// A TrialObserver that keeps what the trainer reports, for tests to assert on.

#include <cstdint>
#include <vector>

#include "comet/engine/trainer.h"

namespace comet::testing {

class EpochRecorder : public engine::TrialObserver {
 public:
  void on_model_built(std::int64_t n) override { parameters = n; }
  void on_epoch(const engine::EpochMetrics& m) override { epochs.push_back(m); }
  std::int64_t parameters = 0;
  std::vector<engine::EpochMetrics> epochs;
};

}  // namespace comet::testing
