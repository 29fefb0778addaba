#include "comet/engine/runtime_info.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include <ATen/CPUGeneratorImpl.h>
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

double measure_gemm_gflops(const std::string& device, std::int64_t n, int repetitions) {
  using Clock = std::chrono::steady_clock;
  torch::NoGradGuard no_grad;
  const torch::Device d(device);
  auto gen = at::detail::createCPUGenerator(1);
  auto a = torch::rand({n, n}, gen).to(d), b = torch::rand({n, n}, gen).to(d);
  auto c = torch::empty({n, n}, a.options());
  auto sync = [&] {
    if (d.is_cuda()) (void)c.sum().item<float>();  // the only way to wait torch-free of CUDA
  };
  torch::mm_out(c, a, b);  // warm-up: thread pools, page faults, GPU kernels
  sync();
  double best = 0;
  for (int r = 0; r < std::max(1, repetitions); ++r) {
    const auto t0 = Clock::now();
    torch::mm_out(c, a, b);
    sync();
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::max(best, 2.0 * static_cast<double>(n) * n * n / s / 1e9);
  }
  return best;
}

}  // namespace comet::engine
