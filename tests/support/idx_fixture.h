#pragma once
// Writes small (Fashion-)MNIST-format IDX files: real format, tiny size, learnable content.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace comet::testing {

inline void write_be32(std::ofstream& out, std::uint32_t v) {
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                         static_cast<char>(v >> 8), static_cast<char>(v)};
  out.write(bytes, 4);
}

inline void write_idx(const std::filesystem::path& path, const std::vector<std::uint32_t>& shape,
                      const std::vector<std::uint8_t>& values) {
  std::ofstream out(path, std::ios::binary);
  out.put(0).put(0).put(0x08).put(static_cast<char>(shape.size()));
  for (auto d : shape) write_be32(out, d);
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size()));
}

// Pixel value of example `index` of class `label`: a bright band at rows 2*label..2*label+2
// over a deterministic speckle, so that a small MLP learns it within an epoch or two.
inline std::uint8_t fixture_pixel(std::uint32_t index, std::uint32_t label, std::uint32_t pixel) {
  const std::uint32_t row = pixel / 28;
  std::uint32_t h = (index * 2654435761u) ^ (pixel * 40503u);
  h ^= h >> 13;
  const auto speckle = static_cast<std::uint8_t>(h % 60);
  return (row >= 2 * label + 2 && row < 2 * label + 5)
             ? static_cast<std::uint8_t>(180 + speckle % 70)
             : speckle;
}

// <dir>/{train,t10k}-{images-idx3,labels-idx1}-ubyte with n_train and n_test 28x28 examples,
// label = index % 10.
inline void write_mnist_fixture(const std::filesystem::path& dir, std::uint32_t n_train,
                                std::uint32_t n_test) {
  std::filesystem::create_directories(dir);
  auto write_part = [&](const std::string& prefix, std::uint32_t n, std::uint32_t offset) {
    std::vector<std::uint8_t> images(static_cast<std::size_t>(n) * 784), labels(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      labels[i] = static_cast<std::uint8_t>((i + offset) % 10);
      for (std::uint32_t p = 0; p < 784; ++p) {
        images[static_cast<std::size_t>(i) * 784 + p] = fixture_pixel(i + offset, labels[i], p);
      }
    }
    write_idx(dir / (prefix + "-images-idx3-ubyte"), {n, 28, 28}, images);
    write_idx(dir / (prefix + "-labels-idx1-ubyte"), {n}, labels);
  };
  write_part("train", n_train, 0);
  write_part("t10k", n_test, n_train);
}

}  // namespace comet::testing
