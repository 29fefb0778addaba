#include "comet/engine/runtime_info.h"

#include <sched.h>
#include <unistd.h>

#include <thread>

#include <torch/torch.h>

namespace comet::engine {

std::string torch_version() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

int default_threads() {
  // The affinity mask, not the machine's core count: containers and taskset restrict it.
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

void set_threads(int threads) { torch::set_num_threads(std::max(1, threads)); }

int cuda_device_count() {
  return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
}

bool device_usable(const std::string& device, std::string* why) {
  try {
    const torch::Device d(device);
    if (d.is_cpu()) return true;
    if (d.is_cuda()) {
      if (!torch::cuda::is_available()) {
        if (why) *why = "this LibTorch has no CUDA or no GPU is visible";
        return false;
      }
      if (d.has_index() && d.index() >= static_cast<int>(torch::cuda::device_count())) {
        if (why) *why = "only " + std::to_string(torch::cuda::device_count()) + " GPU(s) visible";
        return false;
      }
      return true;
    }
    if (why) *why = "only cpu and cuda devices are supported";
    return false;
  } catch (const c10::Error& e) {
    if (why) *why = e.what_without_backtrace();
    return false;
  }
}

}  // namespace comet::engine
