#pragma once
// Facts about the process's compute runtime, without exposing torch.

#include <cstdint>
#include <string>

namespace comet::engine {

std::string torch_version();  // "1.13.1"
std::string host_name();
int default_threads();  // the cores this process may use
// Sets torch's intra-op threads (and OpenBLAS's, through torch). threads >= 1.
void set_threads(int threads);
// True when `device` ("cpu", "cuda:0") names a device torch can use here.
bool device_usable(const std::string& device, std::string* why = nullptr);
int cuda_device_count();
// The model of a device: the CPU's ("AMD EPYC 7B13") or the GPUs' ("NVIDIA H100 80GB HBM3");
// "" when it cannot be read.
std::string device_name(const std::string& device);
// The BLAS this process loaded, "OpenBLAS 0.3.21 (pthread), 1 thread(s)"; "" when unknown.
std::string blas_name();  // GPUs torch can use here (0 with the CPU LibTorch)

// The fp32 GEMM rate this process reaches on `device` with its current threads: the best of
// `repetitions` timed n x n x n matrix products (after one untimed warm-up), in GFLOP/s
// (2 n^3 floating-point operations per product). What `comet bench` calls the peak.
double measure_gemm_gflops(const std::string& device, std::int64_t n, int repetitions);

}  // namespace comet::engine
