#include "cifar_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "cifar_fixture.h"
#include "reader_errors.h"
#include "temp_dir.h"

namespace comet::datasets {
namespace {

using testing::TempDir;
using testing::write_cifar100_fixture;
using testing::write_cifar10_fixture;
using testing::write_cifar_file;

int pixel(const RawTable& table, std::int64_t row, std::int64_t col) {
  return table.bytes.at(static_cast<std::size_t>(row * table.cols + col));
}

// Column of channel ch, row r, column c within a 3072-byte CHW row.
constexpr std::int64_t chw(std::int64_t ch, std::int64_t r, std::int64_t c) {
  return ch * 1024 + r * 32 + c;
}

using testing::error_of;
using testing::expect_contains;

TEST(CifarReader, ReadsCifar10BatchesInOrder) {
  TempDir dir;
  write_cifar10_fixture(dir.path(), 8);
  const auto data = read_cifar10({"cifar10", {dir.path()}, {}});
  EXPECT_EQ(data.task, Task::classification);
  EXPECT_EQ(data.outputs, 10);
  EXPECT_EQ(data.train.rows, 40);
  EXPECT_EQ(data.train.cols, 3072);
  EXPECT_EQ(data.train.bytes.size(), 40u * 3072);
  EXPECT_TRUE(data.train.floats.empty());
  EXPECT_EQ(data.test.rows, 8);
  EXPECT_EQ(data.test.bytes.size(), 8u * 3072);
  // G of pixel (3, 5) of record 7 of data_batch_1: cifar_pixel(0, 7, 1, 3, 5).
  EXPECT_EQ(pixel(data.train, 7, 1024 + 3 * 32 + 5), 198);
  EXPECT_EQ(pixel(data.train, 7, chw(0, 0, 1)), 94);
  EXPECT_EQ(pixel(data.train, 0, chw(0, 0, 0)), 0);
  // Record 2 of data_batch_3 is training row 18; B of pixel (31, 31): cifar_pixel(2, 2, 2, 31, 31).
  EXPECT_EQ(pixel(data.train, 18, chw(2, 31, 31)), 48);
  EXPECT_EQ(pixel(data.test, 7, chw(1, 3, 5)), 147);  // cifar_pixel(5, 7, 1, 3, 5)
  ASSERT_EQ(data.train.labels.size(), 40u);
  EXPECT_EQ(data.train.labels[18], 4);
  EXPECT_EQ(data.train.labels[39], 1);
  ASSERT_EQ(data.test.labels.size(), 8u);
  EXPECT_EQ(data.test.labels[7], 2);
  const std::vector<std::filesystem::path> files{dir / "data_batch_1.bin", dir / "data_batch_2.bin",
                                                 dir / "data_batch_3.bin", dir / "data_batch_4.bin",
                                                 dir / "data_batch_5.bin", dir / "test_batch.bin"};
  EXPECT_EQ(data.files, files);
  const auto& norm = data.normalisation;
  EXPECT_DOUBLE_EQ(norm.scale, 1.0 / 255.0);
  EXPECT_EQ(norm.channels, 3);
  EXPECT_EQ(norm.mean, (std::vector<double>{0.4914, 0.4822, 0.4465}));
  EXPECT_EQ(norm.stddev, (std::vector<double>{0.2470, 0.2435, 0.2616}));
  EXPECT_FALSE(norm.from_training_split);
  EXPECT_EQ(norm.source, "published per-channel constants");
}

TEST(CifarReader, FindsTheArchiveFolderAndPrefersPlainFiles) {
  TempDir first, second;
  write_cifar10_fixture(second / "cifar-10-batches-bin", 2);
  auto data = read_cifar10({"cifar10", {first.path(), second.path()}, {}});
  EXPECT_EQ(data.train.rows, 10);
  EXPECT_EQ(data.files.front(), second / "cifar-10-batches-bin" / "data_batch_1.bin");

  // A plain file in any folder wins over the archive folder.
  write_cifar10_fixture(first / "cifar-10-batches-bin", 4);
  write_cifar10_fixture(second.path(), 3);
  data = read_cifar10({"cifar10", {first.path(), second.path()}, {}});
  EXPECT_EQ(data.train.rows, 15);
  EXPECT_EQ(data.files.back(), second / "test_batch.bin");
}

TEST(CifarReader, MissingFileListsEveryPlaceLooked) {
  TempDir first, second;
  const auto what = error_of(read_cifar10, {"cifar10", {first.path(), second.path()}, {}});
  expect_contains(what, "dataset 'cifar10': missing data file data_batch_1.bin");
  expect_contains(what, (first / "data_batch_1.bin").string());
  expect_contains(what, (second / "data_batch_1.bin").string());
  expect_contains(what, (first / "cifar-10-batches-bin" / "data_batch_1.bin").string());
  expect_contains(what, (second / "cifar-10-batches-bin" / "data_batch_1.bin").string());

  write_cifar10_fixture(first.path(), 1);
  std::filesystem::remove(first / "test_batch.bin");
  expect_contains(error_of(read_cifar10, {"cifar10", {first.path()}, {}}),
                  "missing data file test_batch.bin");
}

TEST(CifarReader, RejectsTruncatedEmptyAndMislabelledFiles) {
  TempDir dir;
  write_cifar10_fixture(dir.path(), 8);
  const ReaderContext context{"cifar10", {dir.path()}, {}};
  const auto batch = dir / "data_batch_3.bin";
  std::filesystem::resize_file(batch, 8 * 3073 - 1);
  auto what = error_of(read_cifar10, context);
  expect_contains(what, batch.string());
  expect_contains(what, "truncated: 24583 bytes is not a whole number of 3073-byte records");

  std::filesystem::resize_file(batch, 0);
  what = error_of(read_cifar10, context);
  expect_contains(what, batch.string() + ": empty file");

  write_cifar_file(batch, 2, {{0}, {1}, {9}, {10}});
  what = error_of(read_cifar10, context);
  expect_contains(what, batch.string());
  expect_contains(what, "record 3: label 10 out of range 0..9");
}

TEST(CifarReader, ReadsCifar100FineAndCoarseLabels) {
  TempDir dir;
  write_cifar100_fixture(dir / "cifar-100-binary", 7, 3);
  const auto fine = read_cifar100({"cifar100", {dir.path()}, {}});
  EXPECT_EQ(fine.outputs, 100);
  EXPECT_EQ(fine.train.rows, 7);
  EXPECT_EQ(fine.test.rows, 3);
  EXPECT_EQ(fine.train.labels[5], 38);  // cifar100_fine(5)
  EXPECT_EQ(fine.test.labels[2], 17);   // cifar100_fine(2)
  // Two label bytes before the pixels: cifar_pixel(0, 6, 1, 3, 5) and cifar_pixel(1, 2, 0, 0, 0).
  EXPECT_EQ(pixel(fine.train, 6, chw(1, 3, 5)), 185);
  EXPECT_EQ(pixel(fine.test, 2, chw(0, 0, 0)), 67);
  EXPECT_EQ(fine.files, (std::vector<std::filesystem::path>{dir / "cifar-100-binary/train.bin",
                                                            dir / "cifar-100-binary/test.bin"}));
  EXPECT_EQ(fine.normalisation.mean, (std::vector<double>{0.5071, 0.4865, 0.4409}));
  EXPECT_EQ(fine.normalisation.stddev, (std::vector<double>{0.2673, 0.2564, 0.2762}));
  EXPECT_EQ(fine.normalisation.channels, 3);
  EXPECT_DOUBLE_EQ(fine.normalisation.scale, 1.0 / 255.0);

  const auto explicit_fine = read_cifar100({"cifar100", {dir.path()}, {{"labels", "fine"}}});
  EXPECT_EQ(explicit_fine.train.labels, fine.train.labels);

  const auto coarse = read_cifar100({"cifar100", {dir.path()}, {{"labels", "coarse"}}});
  EXPECT_EQ(coarse.outputs, 20);
  EXPECT_EQ(coarse.train.labels, (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(coarse.train.bytes, fine.train.bytes);
}

TEST(CifarReader, RejectsBadCifar100OptionsAndFiles) {
  TempDir dir;
  write_cifar100_fixture(dir.path(), 4, 2);
  auto what = error_of(read_cifar100, {"cifar100", {dir.path()}, {{"labels", "medium"}}});
  expect_contains(what, "dataset 'cifar100': labels 'medium'");
  expect_contains(what, "allowed: fine, coarse");

  const ReaderContext coarse{"cifar100", {dir.path()}, {{"labels", "coarse"}}};
  std::filesystem::resize_file(dir / "test.bin", 2 * 3074 + 5);
  what = error_of(read_cifar100, coarse);
  expect_contains(what, (dir / "test.bin").string());
  expect_contains(what, "not a whole number of 3074-byte records");

  // Both label bytes are checked, whichever is used.
  write_cifar_file(dir / "train.bin", 0, {{3, 99}, {19, 100}});
  what = error_of(read_cifar100, coarse);
  expect_contains(what, (dir / "train.bin").string() + ": record 1: fine label 100 out of range");
  write_cifar_file(dir / "train.bin", 0, {{3, 99}, {4, 5}, {20, 5}});
  what = error_of(read_cifar100, {"cifar100", {dir.path()}, {}});
  expect_contains(what, "record 2: coarse label 20 out of range 0..19");
}

}  // namespace
}  // namespace comet::datasets
