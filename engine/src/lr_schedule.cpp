#include "lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace comet::engine {

double LrSchedule::at(std::int64_t step) const {
  if (kind == "constant") return base_lr;
  std::int64_t warmup = kind == "warmup_cosine" ? std::min(warmup_steps, total_steps) : 0;
  if (step < warmup) {
    return base_lr * static_cast<double>(step + 1) / static_cast<double>(warmup);
  }
  const auto decay_steps = std::max<std::int64_t>(total_steps - warmup, 1);
  const double progress =
      std::clamp(static_cast<double>(step - warmup) / static_cast<double>(decay_steps), 0.0, 1.0);
  return base_lr * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
}

}  // namespace comet::engine
