#pragma once
// --devices x --jobs-per-device -> the scheduler's slots, with CPU threads split between them.

#include <string>
#include <vector>

#include "comet/engine/trial_scheduler.h"

namespace comet::cli {

// devices: "auto" (every visible GPU, else the CPU), "cpu", "cuda" (every visible GPU) or a
// comma-separated list such as "cuda:0,cuda:1". threads: torch threads per worker, 0 for an even
// share of the cores. Workers on the CPU never get more threads together than there are cores.
// Throws UsageError naming the value and what is allowed.
std::vector<engine::SlotSpec> plan_slots(const std::string& devices, int jobs_per_device,
                                         int threads);
// "cpu x2 (1 thread each)", "cuda:0 x4, cuda:1 x4 (1 thread each)".
std::string describe_slots(const std::vector<engine::SlotSpec>& slots);

}  // namespace comet::cli
