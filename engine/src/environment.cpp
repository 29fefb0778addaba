// What an attempt ran on, for the attempts table: the device's model and the BLAS library.
// Read from /proc, so that it needs neither CUDA headers nor a BLAS-specific call.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "comet/engine/runtime_info.h"

namespace comet::engine {

namespace {

std::string trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t");
  const auto last = text.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? "" : text.substr(first, last - first + 1);
}

// "value" of the first line "key<spaces>: value" in `path`.
std::string field_of(const std::filesystem::path& path, const std::string& key) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    if (colon != std::string::npos && trimmed(line.substr(0, colon)) == key) {
      return trimmed(line.substr(colon + 1));
    }
  }
  return "";
}

// The NVIDIA driver lists each GPU under /proc/driver/nvidia/gpus/<PCI address>/. CUDA's default
// order may differ from the PCI order, so a model is named only when every GPU has the same.
std::string gpu_model() {
  std::set<std::string> models;
  std::error_code ec;
  for (const auto& gpu : std::filesystem::directory_iterator("/proc/driver/nvidia/gpus", ec)) {
    const auto model = field_of(gpu.path() / "information", "Model");
    if (!model.empty()) models.insert(model);
  }
  if (models.size() == 1) return *models.begin();
  return models.empty() ? "" : "one of " + std::to_string(models.size()) + " GPU models";
}

}  // namespace

std::string device_name(const std::string& device) {
  if (device.rfind("cuda", 0) == 0) return gpu_model();
  return field_of("/proc/cpuinfo", "model name");
}

std::string blas_name() {
  std::ifstream maps("/proc/self/maps");
  const std::regex openblas(R"(libopenblas(p|o)?-r([0-9.]+)\.so)");
  std::string found;
  for (std::string line; std::getline(maps, line);) {
    std::smatch m;
    if (std::regex_search(line, m, openblas)) {
      const std::string flavour = m[1] == "p" ? "pthread" : m[1] == "o" ? "openmp" : "serial";
      found = "OpenBLAS " + m[2].str() + " (" + flavour + ")";
      break;
    }
    if (line.find("libmkl_") != std::string::npos) found = "MKL";
  }
  if (found.empty()) return "";
  const char* threads = std::getenv("OPENBLAS_NUM_THREADS");
  return found + (threads != nullptr ? std::string(", ") + threads + " thread(s)" : "");
}

}  // namespace comet::engine
