#pragma once
// Private to datasets/. The IDX format of (Fashion-)MNIST, gzip-compressed or raw.

#include <cstdint>
#include <filesystem>
#include <vector>

namespace comet::datasets {

struct IdxArray {
  std::vector<std::int64_t> shape;  // e.g. {60000, 28, 28} or {60000}
  std::vector<std::uint8_t> values;
};

// Reads an unsigned-byte IDX file (magic 0x00000803 images, 0x00000801 labels); gzip is
// detected from the content, not the name. Throws DatasetError naming the file for a missing
// or unreadable file, a wrong magic, an unexpected element type, or a size that does not
// match the header (truncated or trailing bytes).
IdxArray read_idx_u8(const std::filesystem::path& path, int expected_dims);

}  // namespace comet::datasets
