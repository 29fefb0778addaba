// crop_flip: every output is a window of the zero-padded image, mirrored or not; the draws are a
// pure function of (stream seed, epoch, example id); offsets and flips cover their range.

#include "comet/datasets/augmentation.h"

#include <gtest/gtest.h>

#include <set>

#include <torch/torch.h>

namespace comet::datasets {
namespace {

// Images whose every pixel value says where it is: value = 1 + (c * H + y) * W + x (mod 251,
// never 0), so a window can be found again and padding (0) is told from the image.
torch::Tensor numbered_images(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w) {
  auto base = (torch::arange(c * h * w, torch::kInt64) % 251 + 1).to(torch::kUInt8);
  return base.view({1, c * h * w}).repeat({n, 1});
}

// The window (top, left) of the padded image, mirrored when `flip`, computed pixel by pixel.
torch::Tensor expected_window(const torch::Tensor& image, std::int64_t c, std::int64_t h,
                              std::int64_t w, std::int64_t pad, std::int64_t top, std::int64_t left,
                              bool flip) {
  auto padded = torch::constant_pad_nd(image.view({c, h, w}), {pad, pad, pad, pad}, 0);
  auto out = torch::empty({c, h, w}, torch::kUInt8);
  for (std::int64_t ch = 0; ch < c; ++ch) {
    for (std::int64_t y = 0; y < h; ++y) {
      for (std::int64_t x = 0; x < w; ++x) {
        const auto sx = flip ? w - 1 - x : x;
        out[ch][y][x] = padded[ch][top + y][left + sx];
      }
    }
  }
  return out.view({c * h * w});
}

TEST(CropFlipTest, EachOutputIsAPaddedWindowMirroredOrNot) {
  const std::int64_t n = 64, c = 3, h = 8, w = 6, pad = 2;
  auto raw = numbered_images(n, c, h, w);
  auto ids = torch::arange(100, 100 + n, torch::kInt64);
  auto out = crop_flip(raw, {c, h, w}, ids, 42, 1, pad);
  ASSERT_EQ(out.sizes(), raw.sizes());
  ASSERT_EQ(out.scalar_type(), torch::kUInt8);
  std::set<std::tuple<std::int64_t, std::int64_t, bool>> seen;
  for (std::int64_t i = 0; i < n; ++i) {
    bool found = false;
    for (std::int64_t top = 0; top <= 2 * pad && !found; ++top) {
      for (std::int64_t left = 0; left <= 2 * pad && !found; ++left) {
        for (bool flip : {false, true}) {
          if (torch::equal(out[i], expected_window(raw[i], c, h, w, pad, top, left, flip))) {
            seen.insert({top, left, flip});
            found = true;
            break;
          }
        }
      }
    }
    EXPECT_TRUE(found) << "example " << i << " is no window of its padded image";
  }
  // 64 draws over 5 x 5 x 2 outcomes: far more than one distinct outcome, both flips.
  EXPECT_GT(seen.size(), 20U);
  bool flipped = false, plain = false;
  for (const auto& s : seen) (std::get<2>(s) ? flipped : plain) = true;
  EXPECT_TRUE(flipped && plain);
}

TEST(CropFlipTest, DrawsArePureFunctionsOfSeedEpochAndId) {
  auto raw = numbered_images(32, 1, 28, 28);
  auto ids = torch::arange(0, 32, torch::kInt64);
  auto a = crop_flip(raw, {1, 28, 28}, ids, 7, 3);
  EXPECT_TRUE(torch::equal(a, crop_flip(raw, {1, 28, 28}, ids, 7, 3)));
  EXPECT_FALSE(torch::equal(a, crop_flip(raw, {1, 28, 28}, ids, 7, 4)));  // another epoch
  EXPECT_FALSE(torch::equal(a, crop_flip(raw, {1, 28, 28}, ids, 8, 3)));  // another seed
  // An example's draw does not depend on its batch: the same id alone gives the same image.
  auto perm = torch::tensor({5, 17, 0}, torch::kInt64);
  auto some = crop_flip(raw.index_select(0, perm), {1, 28, 28}, ids.index_select(0, perm), 7, 3);
  EXPECT_TRUE(torch::equal(some, a.index_select(0, perm)));
}

TEST(CropFlipTest, OffsetsAndFlipsAreRoughlyUniform) {
  // A single-pixel "image" of side 1 with padding 4: the output is non-zero exactly when the
  // window's offset is (4, 4), i.e. with probability 1/81 per axis pair; count top offsets with
  // a 1 x 9 image instead: the visible value tells the column offset.
  const std::int64_t n = 9000;
  auto raw = (torch::arange(9, torch::kInt64) + 1).to(torch::kUInt8).view({1, 9}).repeat({n, 1});
  auto ids = torch::arange(n, torch::kInt64);
  auto out = crop_flip(raw, {1, 1, 9}, ids, 1, 1, 4);
  // The row offset is 4 (image visible) with probability 1/9.
  auto visible = out.ne(0).any(1).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(visible, 1.0 / 9.0, 0.02);
}

}  // namespace
}  // namespace comet::datasets
