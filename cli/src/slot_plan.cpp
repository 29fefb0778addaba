#include "slot_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "comet/cli/usage_error.h"
#include "comet/engine/runtime_info.h"

namespace comet::cli {

namespace {

std::vector<std::string> every_gpu() {
  std::vector<std::string> gpus;
  for (int i = 0; i < engine::cuda_device_count(); ++i) gpus.push_back(fmt::format("cuda:{}", i));
  return gpus;
}

std::vector<std::string> device_list(const std::string& devices) {
  if (devices == "auto") {
    auto gpus = every_gpu();
    return gpus.empty() ? std::vector<std::string>{"cpu"} : gpus;
  }
  if (devices == "cuda") {
    auto gpus = every_gpu();
    if (gpus.empty()) throw UsageError("--devices cuda: no GPU is visible to this LibTorch");
    return gpus;
  }
  std::vector<std::string> list;
  std::stringstream stream(devices);
  for (std::string device; std::getline(stream, device, ',');) {
    std::string why;
    if (device.empty() || !engine::device_usable(device, &why)) {
      throw UsageError(fmt::format(
          "--devices '{}': '{}' cannot be used{}{}; allowed: auto, cpu, cuda, or a list such "
          "as cuda:0,cuda:1",
          devices, device, why.empty() ? "" : ": ", why));
    }
    if (device == "cuda") device = "cuda:0";
    if (std::find(list.begin(), list.end(), device) != list.end()) {
      throw UsageError(
          fmt::format("--devices '{}' names {} twice; use --jobs-per-device to put "
                      "several trials on one device",
                      devices, device));
    }
    list.push_back(device);
  }
  if (list.empty()) throw UsageError("--devices is empty; allowed: auto, cpu, cuda, cuda:N,...");
  return list;
}

}  // namespace

std::vector<engine::SlotSpec> plan_slots(const std::string& devices, int jobs_per_device,
                                         int threads) {
  if (jobs_per_device < 1) {
    throw UsageError(fmt::format("--jobs-per-device {} must be >= 1", jobs_per_device));
  }
  if (threads < 0) throw UsageError("--threads must be >= 1 (or 0 for an even share of the cores)");
  const auto list = device_list(devices);
  const int cpu_slots =
      static_cast<int>(std::count(list.begin(), list.end(), "cpu")) * jobs_per_device;
  // Workers on the CPU share its cores instead of oversubscribing them.
  const int share = std::max(1, engine::default_threads() / std::max(1, cpu_slots));
  std::vector<engine::SlotSpec> slots;
  for (const auto& device : list) {
    const int t =
        device == "cpu" ? (threads == 0 ? share : std::min(threads, share)) : std::max(1, threads);
    // OpenBLAS (pthreads) keeps its own threads: a CPU worker's is pinned to its share of the
    // cores, so that several workers do not each start one per core.
    const int blas = device == "cpu" && cpu_slots > 1 ? share : 0;
    for (int j = 0; j < jobs_per_device; ++j) slots.push_back({device, t, blas});
  }
  return slots;
}

std::string describe_slots(const std::vector<engine::SlotSpec>& slots) {
  std::vector<std::pair<std::string, int>> counts;  // in order of first appearance
  for (const auto& slot : slots) {
    auto it = std::find_if(counts.begin(), counts.end(),
                           [&](const auto& c) { return c.first == slot.device; });
    if (it == counts.end()) {
      counts.emplace_back(slot.device, 1);
    } else {
      ++it->second;
    }
  }
  std::string text;
  for (const auto& [device, n] : counts) {
    text += fmt::format("{}{} x{}", text.empty() ? "" : ", ", device, n);
  }
  std::map<int, int> threads;
  for (const auto& slot : slots) ++threads[slot.threads];
  if (threads.size() == 1) {
    const int t = threads.begin()->first;
    text += fmt::format(" ({} thread{} each)", t, t == 1 ? "" : "s");
  }
  return text;
}

}  // namespace comet::cli
