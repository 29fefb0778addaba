#pragma once
// Writes small CIFAR-10 / CIFAR-100 binary-version files: real record layout, few records.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace comet::testing {

// Pixel (channel ch, row r, column c) of record `record` in the file numbered `file`: every
// coordinate moves the value, so a misplaced byte shows.
inline std::uint8_t cifar_pixel(std::uint32_t file, std::uint32_t record, std::uint32_t ch,
                                std::uint32_t r, std::uint32_t c) {
  return static_cast<std::uint8_t>((file * 41 + record * 13 + ch * 71 + r * 7 + c * 3) % 256);
}

// One record per entry of `labels`: its label bytes (one for CIFAR-10, coarse then fine for
// CIFAR-100), then 3072 pixels as R, G, B planes, each row-major 32x32.
inline void write_cifar_file(const std::filesystem::path& path, std::uint32_t file,
                             const std::vector<std::vector<std::uint8_t>>& labels) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  for (std::uint32_t i = 0; i < labels.size(); ++i) {
    for (auto label : labels[i]) out.put(static_cast<char>(label));
    for (std::uint32_t ch = 0; ch < 3; ++ch) {
      for (std::uint32_t r = 0; r < 32; ++r) {
        for (std::uint32_t c = 0; c < 32; ++c) {
          out.put(static_cast<char>(cifar_pixel(file, i, ch, r, c)));
        }
      }
    }
  }
}

// data_batch_1..5.bin (files 0..4) and test_batch.bin (file 5) in `dir`, `records` each;
// record i of file f has label (f + i) % 10.
inline void write_cifar10_fixture(const std::filesystem::path& dir, std::uint32_t records) {
  for (std::uint32_t f = 0; f < 6; ++f) {
    std::vector<std::vector<std::uint8_t>> labels;
    for (std::uint32_t i = 0; i < records; ++i) {
      labels.push_back({static_cast<std::uint8_t>((f + i) % 10)});
    }
    const auto name = f < 5 ? "data_batch_" + std::to_string(f + 1) + ".bin" : "test_batch.bin";
    write_cifar_file(dir / name, f, labels);
  }
}

inline std::uint8_t cifar100_coarse(std::uint32_t i) { return static_cast<std::uint8_t>(i % 20); }
inline std::uint8_t cifar100_fine(std::uint32_t i) {
  return static_cast<std::uint8_t>((i * 7 + 3) % 100);
}

// train.bin (file 0) and test.bin (file 1) in `dir`; record i has cifar100_coarse(i) and
// cifar100_fine(i).
inline void write_cifar100_fixture(const std::filesystem::path& dir, std::uint32_t train,
                                   std::uint32_t test) {
  auto labels = [](std::uint32_t n) {
    std::vector<std::vector<std::uint8_t>> out;
    for (std::uint32_t i = 0; i < n; ++i) out.push_back({cifar100_coarse(i), cifar100_fine(i)});
    return out;
  };
  write_cifar_file(dir / "train.bin", 0, labels(train));
  write_cifar_file(dir / "test.bin", 1, labels(test));
}

}  // namespace comet::testing
