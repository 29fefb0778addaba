#pragma once
// Writes real JPEG files with libjpeg's compressor, and a small Tiny ImageNet folder of them.
// Images are four flat 32x32 quadrants at quality 100 without chroma subsampling, so decoding
// gives back the written values to within a few units (rounding of the YCbCr conversion).

// clang-format off
#include <cstdio>  // jpeglib.h uses FILE and size_t without including what declares them
#include <jpeglib.h>
// clang-format on

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace comet::testing {

// `pixels`: row-major, `components` (1 = grayscale, 3 = RGB) bytes per pixel.
inline void write_jpeg(const std::filesystem::path& path, int width, int height, int components,
                       const std::vector<std::uint8_t>& pixels, int quality = 100) {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr errors{};
  cinfo.err = jpeg_std_error(&errors);  // exits on error: acceptable for fixed fixture input
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = static_cast<JDIMENSION>(width);
  cinfo.image_height = static_cast<JDIMENSION>(height);
  cinfo.input_components = components;
  cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  for (int c = 0; c < cinfo.num_components; ++c) {
    cinfo.comp_info[c].h_samp_factor = 1;  // 4:4:4: no chroma blur across quadrant edges
    cinfo.comp_info[c].v_samp_factor = 1;
  }
  jpeg_start_compress(&cinfo, TRUE);
  const auto stride = static_cast<std::size_t>(width) * static_cast<std::size_t>(components);
  while (cinfo.next_scanline < cinfo.image_height) {
    auto* row = const_cast<JSAMPLE*>(pixels.data() + stride * cinfo.next_scanline);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(buffer), static_cast<std::streamsize>(size));
  jpeg_destroy_compress(&cinfo);
  std::free(buffer);
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Colour of quadrant q (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right) of fixture
// image `id`, channel c; kept inside [20, 235] so that no value clips at 0 or 255.
inline std::uint8_t quadrant_colour(int id, int quadrant, int channel) {
  return static_cast<std::uint8_t>(20 + (37 * id + 71 * quadrant + 113 * channel) % 216);
}

// What the reader should decode at (channel, y, x) of a `side` x `side` fixture image.
inline std::uint8_t expected_pixel(int id, bool gray, int side, int channel, int y, int x) {
  const int quadrant = (y < side / 2 ? 0 : 2) + (x < side / 2 ? 0 : 1);
  return quadrant_colour(id, quadrant, gray ? 0 : channel);
}

inline void write_fixture_image(const std::filesystem::path& path, int id, bool gray,
                                int side = 64) {
  const int components = gray ? 1 : 3;
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(side * side * components));
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      for (int c = 0; c < components; ++c) {
        pixels[static_cast<std::size_t>((y * side + x) * components + c)] =
            expected_pixel(id, gray, side, c, y, x);
      }
    }
  }
  write_jpeg(path, side, side, components, pixels);
}

struct FixtureImage {
  std::filesystem::path path;
  int id = 0;
  bool gray = false;
  std::int64_t label = 0;
};

struct TinyImagenetFixture {
  std::vector<std::string> sorted_wnids;
  std::vector<FixtureImage> train;  // in the reader's order: sorted wnid, then file name
  std::vector<FixtureImage> val;    // sorted by file name
};

// <root>/wnids.txt (listed in reverse order, to test that classes follow sorted order),
// train/<wnid>/images/<wnid>_<k>.JPEG, val/images/val_<k>.JPEG and val/val_annotations.txt
// (in reverse order too). Every third image is grayscale; val image k has class k % classes.
inline TinyImagenetFixture write_tiny_imagenet_fixture(const std::filesystem::path& root,
                                                       int classes = 3, int per_class = 4,
                                                       int val_count = 6) {
  namespace fs = std::filesystem;
  TinyImagenetFixture f;
  for (int c = 0; c < classes; ++c) {
    char wnid[16];
    std::snprintf(wnid, sizeof wnid, "n%08d", 1000 + 7 * c);
    f.sorted_wnids.emplace_back(wnid);
  }
  fs::create_directories(root / "val" / "images");
  std::ofstream wnids(root / "wnids.txt");
  for (auto it = f.sorted_wnids.rbegin(); it != f.sorted_wnids.rend(); ++it) wnids << *it << "\n";
  int id = 0;
  for (int c = 0; c < classes; ++c) {
    const auto dir = root / "train" / f.sorted_wnids[c] / "images";
    fs::create_directories(dir);
    std::ofstream(root / "train" / f.sorted_wnids[c] / (f.sorted_wnids[c] + "_boxes.txt"))
        << "ignored by the reader\n";
    for (int k = 0; k < per_class; ++k, ++id) {
      const auto path = dir / (f.sorted_wnids[c] + "_" + std::to_string(1000 + k) + ".JPEG");
      f.train.push_back({path, id, id % 3 == 1, c});
      write_fixture_image(path, id, id % 3 == 1);
    }
  }
  std::vector<std::string> lines;
  for (int k = 0; k < val_count; ++k, ++id) {
    const auto name = "val_" + std::to_string(1000 + k) + ".JPEG";
    const auto path = root / "val" / "images" / name;
    f.val.push_back({path, id, id % 3 == 1, k % classes});
    write_fixture_image(path, id, id % 3 == 1);
    lines.push_back(name + "\t" + f.sorted_wnids[k % classes] + "\t0\t0\t63\t63");
  }
  std::ofstream annotations(root / "val" / "val_annotations.txt");
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) annotations << *it << "\n";
  return f;
}

}  // namespace comet::testing
