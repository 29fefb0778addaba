#include "tiny_imagenet_reader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "jpeg_decoder.h"
#include "jpeg_fixture.h"
#include "reader_errors.h"
#include "temp_dir.h"

namespace comet::datasets {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::write_fixture_image;
using testing::write_tiny_imagenet_fixture;

constexpr int kTolerance = 3;  // YCbCr round trip at quality 100, no subsampling

std::string tiny_error_of(const ReaderContext& context) {
  return testing::error_of(read_tiny_imagenet, context);
}

using testing::expect_contains;

// Every byte of every row against what the fixture wrote, in CHW order.
void expect_images(const RawTable& table, const std::vector<testing::FixtureImage>& images) {
  ASSERT_EQ(table.rows, static_cast<std::int64_t>(images.size()));
  ASSERT_EQ(table.cols, 3 * 64 * 64);
  ASSERT_EQ(table.bytes.size(), images.size() * 3 * 64 * 64);
  for (std::size_t i = 0; i < images.size(); ++i) {
    EXPECT_EQ(table.labels[i], images[i].label) << images[i].path;
    int worst = 0;
    for (int c = 0; c < 3; ++c) {
      for (int y = 0; y < 64; ++y) {
        for (int x = 0; x < 64; ++x) {
          const int got = table.bytes[i * 3 * 4096 + c * 4096 + y * 64 + x];
          const int want = testing::expected_pixel(images[i].id, images[i].gray, 64, c, y, x);
          worst = std::max(worst, std::abs(got - want));
        }
      }
    }
    EXPECT_LE(worst, kTolerance) << images[i].path;
  }
}

// Replaces a file's bytes with garbage of the same size and gives it back its old mtime: the
// listing's fingerprint cannot tell, so only a cache read can still succeed.
void spoil_keeping_fingerprint(const fs::path& path) {
  const auto mtime = fs::last_write_time(path);
  const auto size = fs::file_size(path);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << std::string(size, 'x');
  fs::last_write_time(path, mtime);
}

TEST(TinyImagenetReader, DecodesTrainAndValInSortedClassOrder) {
  TempDir dir;
  const auto fixture = write_tiny_imagenet_fixture(dir / "tiny-imagenet-200");
  const auto data = read_tiny_imagenet({"tiny_imagenet", {dir / "tiny_imagenet", dir.path()}, {}});
  EXPECT_EQ(data.task, Task::classification);
  EXPECT_EQ(data.outputs, 3);
  expect_images(data.train, fixture.train);
  expect_images(data.test, fixture.val);
  // Spot checks of the layout: channel planes one after another, grayscale replicated.
  const auto& first = fixture.train[0];
  EXPECT_NEAR(data.train.bytes[4096 + 63 * 64 + 63], testing::quadrant_colour(first.id, 3, 1),
              kTolerance);
  const auto& gray = fixture.train[1];
  ASSERT_TRUE(gray.gray);
  EXPECT_EQ(data.train.bytes[3 * 4096 + 5], data.train.bytes[3 * 4096 + 2 * 4096 + 5]);
  EXPECT_EQ(data.test.labels, (std::vector<std::int64_t>{0, 1, 2, 0, 1, 2}));
  EXPECT_DOUBLE_EQ(data.normalisation.scale, 1.0 / 255.0);
  EXPECT_EQ(data.normalisation.channels, 3);
  EXPECT_EQ(data.normalisation.mean, (std::vector<double>{0.4802, 0.4481, 0.3975}));
  EXPECT_EQ(data.normalisation.stddev, (std::vector<double>{0.2770, 0.2691, 0.2821}));
  EXPECT_FALSE(data.normalisation.from_training_split);
  ASSERT_FALSE(data.files.empty());
  EXPECT_EQ(data.files[0], dir / "tiny-imagenet-200" / "wnids.txt");
  EXPECT_TRUE(fs::is_regular_file(dir / std::string(kTinyImagenetCacheName)));
}

TEST(TinyImagenetReader, FindsTheDataDirectlyInAContextFolder) {
  TempDir dir;
  write_tiny_imagenet_fixture(dir / "tiny_imagenet");
  const auto data = read_tiny_imagenet({"tiny_imagenet", {dir / "tiny_imagenet"}, {}});
  EXPECT_EQ(data.train.rows, 12);
  EXPECT_TRUE(fs::is_regular_file(dir / "tiny_imagenet" / std::string(kTinyImagenetCacheName)));
}

TEST(TinyImagenetReader, SecondLoadReadsTheCacheBitForBit) {
  TempDir dir;
  const auto fixture = write_tiny_imagenet_fixture(dir / "tiny-imagenet-200");
  const ReaderContext context{"tiny_imagenet", {dir.path()}, {}};
  const auto first = read_tiny_imagenet(context);
  const auto cache = dir / std::string(kTinyImagenetCacheName);
  ASSERT_TRUE(fs::is_regular_file(cache));
  EXPECT_EQ(fs::file_size(cache), 56u + 18u * (3 * 4096 + 8));
  spoil_keeping_fingerprint(fixture.train[5].path);
  spoil_keeping_fingerprint(fixture.val[2].path);
  const auto second = read_tiny_imagenet(context);
  EXPECT_EQ(second.train.bytes, first.train.bytes);
  EXPECT_EQ(second.train.labels, first.train.labels);
  EXPECT_EQ(second.test.bytes, first.test.bytes);
  EXPECT_EQ(second.test.labels, first.test.labels);
  EXPECT_EQ(second.outputs, first.outputs);
  ASSERT_FALSE(second.files.empty());
  EXPECT_EQ(second.files.back(), cache);
}

TEST(TinyImagenetReader, StaleCacheIsRebuilt) {
  TempDir dir;
  auto fixture = write_tiny_imagenet_fixture(dir / "tiny-imagenet-200");
  const ReaderContext context{"tiny_imagenet", {dir.path()}, {}};
  read_tiny_imagenet(context);
  const auto cache = dir / std::string(kTinyImagenetCacheName);
  std::ifstream before_in(cache, std::ios::binary);
  const std::string before((std::istreambuf_iterator<char>(before_in)), {});

  // A replaced image: new content, new mtime (set explicitly: the clock may not have ticked).
  auto& changed = fixture.train[4];
  changed.id = 77;
  write_fixture_image(changed.path, changed.id, changed.gray);
  fs::last_write_time(changed.path, fs::last_write_time(changed.path) + std::chrono::seconds(5));
  const auto data = read_tiny_imagenet(context);
  expect_images(data.train, fixture.train);
  EXPECT_EQ(data.files.back(), dir / "tiny-imagenet-200" / "val" / "images");  // decoded
  std::ifstream after_in(cache, std::ios::binary);
  const std::string after((std::istreambuf_iterator<char>(after_in)), {});
  EXPECT_EQ(after.size(), before.size());
  EXPECT_NE(after, before);
  // The rebuilt cache serves the next load.
  EXPECT_EQ(read_tiny_imagenet(context).files.back(), cache);
}

TEST(TinyImagenetReader, CorruptCacheIsIgnoredAndRewritten) {
  TempDir dir;
  const auto fixture = write_tiny_imagenet_fixture(dir / "tiny-imagenet-200");
  const ReaderContext context{"tiny_imagenet", {dir.path()}, {}};
  const auto reference = read_tiny_imagenet(context);
  const auto cache = dir / std::string(kTinyImagenetCacheName);
  const auto full_size = fs::file_size(cache);

  fs::resize_file(cache, full_size / 2);  // an interrupted copy
  auto data = read_tiny_imagenet(context);
  EXPECT_EQ(data.train.bytes, reference.train.bytes);
  EXPECT_EQ(fs::file_size(cache), full_size);

  {  // one flipped pixel byte: only the checksum notices
    std::fstream file(cache, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(56 + 1000);
    file.put('\x7f');
  }
  data = read_tiny_imagenet(context);
  EXPECT_EQ(data.train.bytes, reference.train.bytes);
  EXPECT_EQ(data.files.back(), dir / "tiny-imagenet-200" / "val" / "images");  // decoded
  EXPECT_EQ(read_tiny_imagenet(context).files.back(), cache);
}

TEST(TinyImagenetReader, UnwritableCacheLocationIsSkippedSilently) {
  TempDir dir;
  write_tiny_imagenet_fixture(dir / "tiny-imagenet-200");
  // A folder where the cache file would go makes the rename fail (root ignores permissions).
  fs::create_directory(dir / std::string(kTinyImagenetCacheName));
  const ReaderContext context{"tiny_imagenet", {dir.path()}, {}};
  EXPECT_EQ(read_tiny_imagenet(context).train.rows, 12);
  EXPECT_EQ(read_tiny_imagenet(context).test.rows, 6);
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
  }
}

TEST(TinyImagenetReader, TruncatedJpegIsAnErrorNamingIt) {
  TempDir dir;
  const auto fixture = write_tiny_imagenet_fixture(dir / "tiny-imagenet-200");
  const auto victim = fixture.train[7].path;
  fs::resize_file(victim, fs::file_size(victim) / 2);
  const auto message = tiny_error_of({"tiny_imagenet", {dir.path()}, {}});
  expect_contains(message, victim.string());
  expect_contains(message, "corrupt or truncated JPEG");
  EXPECT_FALSE(fs::exists(dir / std::string(kTinyImagenetCacheName)));
}

TEST(TinyImagenetReader, NotAJpegIsAnErrorNamingIt) {
  TempDir dir;
  const auto fixture = write_tiny_imagenet_fixture(dir / "tiny-imagenet-200");
  std::ofstream(fixture.val[3].path, std::ios::trunc) << "GIF89a, not a JPEG";
  const auto message = tiny_error_of({"tiny_imagenet", {dir.path()}, {}});
  expect_contains(message, fixture.val[3].path.string());
  expect_contains(message, "libjpeg");
}

TEST(TinyImagenetReader, ImageOtherThan64x64IsAnError) {
  TempDir dir;
  const auto fixture = write_tiny_imagenet_fixture(dir / "tiny-imagenet-200");
  write_fixture_image(fixture.train[2].path, 2, false, 32);
  const auto message = tiny_error_of({"tiny_imagenet", {dir.path()}, {}});
  expect_contains(message, fixture.train[2].path.string() + ": image is 32x32, expected 64x64");
}

TEST(TinyImagenetReader, AnnotationWithUnknownWnidIsAnError) {
  TempDir dir;
  const auto root = dir / "tiny-imagenet-200";
  write_tiny_imagenet_fixture(root);
  std::ofstream(root / "val" / "val_annotations.txt", std::ios::app)
      << "val_1000.JPEG\tn99999999\t0\t0\t63\t63\n";
  const auto message = tiny_error_of({"tiny_imagenet", {dir.path()}, {}});
  expect_contains(message, (root / "val" / "val_annotations.txt").string() + ":7:");
  expect_contains(message, "'n99999999'");
  expect_contains(message, "not in wnids.txt");
}

TEST(TinyImagenetReader, AnnotationsAndValImagesMustMatch) {
  TempDir dir;
  const auto root = dir / "tiny-imagenet-200";
  const auto fixture = write_tiny_imagenet_fixture(root);
  fs::remove(fixture.val[4].path);
  expect_contains(tiny_error_of({"tiny_imagenet", {dir.path()}, {}}),
                  "annotates val_1004.JPEG, which is not in");
  write_fixture_image(root / "val" / "images" / "val_extra.JPEG", 1, false);
  write_fixture_image(fixture.val[4].path, 1, false);
  expect_contains(tiny_error_of({"tiny_imagenet", {dir.path()}, {}}),
                  "val_extra.JPEG: not listed in");
  fs::remove(root / "val" / "images" / "val_extra.JPEG");
  std::ofstream(root / "val" / "val_annotations.txt", std::ios::app) << "val_9.JPEG\tn00001000\n";
  expect_contains(tiny_error_of({"tiny_imagenet", {dir.path()}, {}}),
                  ":7: 2 tab-separated fields, expected 6");
}

TEST(TinyImagenetReader, MissingWnidsListsEveryPlaceLooked) {
  TempDir dir;
  write_tiny_imagenet_fixture(dir / "tiny-imagenet-200");
  fs::remove(dir / "tiny-imagenet-200" / "wnids.txt");
  const auto message = tiny_error_of({"tiny_imagenet", {dir / "a", dir / "b"}, {}});
  expect_contains(message, "missing data file wnids.txt");
  expect_contains(message, (dir / "a" / "tiny-imagenet-200" / "wnids.txt").string());
  expect_contains(message, (dir / "b" / "wnids.txt").string());
}

TEST(TinyImagenetReader, ClassWithoutItsFolderIsAnError) {
  TempDir dir;
  const auto root = dir / "tiny-imagenet-200";
  const auto fixture = write_tiny_imagenet_fixture(root);
  std::ofstream(root / "wnids.txt", std::ios::app) << "n00000001\n";
  expect_contains(tiny_error_of({"tiny_imagenet", {dir.path()}, {}}),
                  (root / "train" / "n00000001" / "images").string() + ": missing folder");
  std::ofstream(root / "wnids.txt", std::ios::trunc) << fixture.sorted_wnids[0] << "\n"
                                                     << fixture.sorted_wnids[0] << "\n";
  expect_contains(tiny_error_of({"tiny_imagenet", {dir.path()}, {}}), "wnids.txt:2: WordNet id");
}

TEST(JpegDecoder, GrayscaleBecomesEqualRgbChannels) {
  TempDir dir;
  write_fixture_image(dir / "g.jpg", 4, true, 16);
  std::vector<std::uint8_t> buffer;
  const auto image = read_jpeg_rgb(dir / "g.jpg", buffer);
  ASSERT_EQ(image.width, 16);
  ASSERT_EQ(image.height, 16);
  ASSERT_EQ(image.pixels.size(), 16u * 16 * 3);
  for (std::size_t p = 0; p < 256; ++p) {
    EXPECT_EQ(image.pixels[3 * p], image.pixels[3 * p + 1]);
    EXPECT_EQ(image.pixels[3 * p], image.pixels[3 * p + 2]);
  }
  EXPECT_NEAR(image.pixels[0], testing::quadrant_colour(4, 0, 0), kTolerance);
}

TEST(JpegDecoder, EmptyAndMissingInputAreErrors) {
  TempDir dir;
  try {
    decode_jpeg_rgb({}, "empty.jpg");
    ADD_FAILURE() << "expected a DatasetError";
  } catch (const DatasetError& e) {
    expect_contains(e.what(), "empty.jpg: empty file");
  }
  std::vector<std::uint8_t> buffer;
  EXPECT_THROW(read_jpeg_rgb(dir / "nothing.jpg", buffer), DatasetError);
}

}  // namespace
}  // namespace comet::datasets
