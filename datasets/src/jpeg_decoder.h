#pragma once
// Private to datasets/. JPEG -> RGB bytes with libjpeg(-turbo), every failure a DatasetError.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace comet::datasets {

struct RgbImage {
  std::int64_t width = 0;
  std::int64_t height = 0;
  std::vector<std::uint8_t> pixels;  // row-major, interleaved R, G, B (HWC)
};

// Decodes baseline or progressive JPEG, colour or grayscale (grayscale is replicated into R, G
// and B). When expected_width/expected_height are non-zero, another size is an error raised
// before decompressing. Corrupt or truncated data (including what libjpeg only warns about and
// would paper over with grey) is a DatasetError naming `name`.
RgbImage decode_jpeg_rgb(std::span<const std::uint8_t> encoded, const std::string& name,
                         std::int64_t expected_width = 0, std::int64_t expected_height = 0);

// Reads the whole file into `buffer` (reused across calls to spare an allocation per image),
// then decodes it as above; errors name the path.
RgbImage read_jpeg_rgb(const std::filesystem::path& path, std::vector<std::uint8_t>& buffer,
                       std::int64_t expected_width = 0, std::int64_t expected_height = 0);

}  // namespace comet::datasets
