#include "mat_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <string>

#include "mat_fixture.h"
#include "reader_errors.h"
#include "temp_dir.h"

namespace comet::datasets {
namespace {

using testing::MatVariable;
using testing::sarcos_value;
using testing::svhn_images;
using testing::TempDir;
using testing::write_mat;
using testing::write_sarcos_file;
using testing::write_svhn_file;

using testing::error_of;
using testing::expect_contains;

int pixel(const RawTable& table, std::int64_t row, std::int64_t ch, std::int64_t r,
          std::int64_t c) {
  return table.bytes.at(static_cast<std::size_t>(row * 3072 + ch * 1024 + r * 32 + c));
}

// A valid SVHN test file, so that each case breaks only the training file.
struct SvhnFolder {
  TempDir dir;
  SvhnFolder() { write_svhn_file(dir / "test_32x32.mat", {10, 5}); }
  std::filesystem::path train() const { return dir / "train_32x32.mat"; }
  std::string error() const { return error_of(read_svhn, {"svhn", {dir.path()}, {}}); }
};

TEST(SvhnReader, ReadsImagesAsChwRowsAndMapsLabelTenToZero) {
  TempDir dir;
  write_svhn_file(dir / "train_32x32.mat", {1, 10, 3, 10, 9}, /*compress=*/true);
  // One image with y stored as uint8; MATLAB drops X's trailing singleton dimension.
  const auto x = svhn_images(1);
  const std::uint8_t y = 10;
  write_mat(dir / "test_32x32.mat", {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3}, x.data()},
                                     {"y", MAT_C_UINT8, MAT_T_UINT8, {1, 1}, &y}});
  const auto data = read_svhn({"svhn", {dir.path()}, {}});
  EXPECT_EQ(data.task, Task::classification);
  EXPECT_EQ(data.outputs, 10);
  EXPECT_EQ(data.train.rows, 5);
  EXPECT_EQ(data.train.cols, 3072);
  EXPECT_EQ(data.train.bytes.size(), 5u * 3072);
  EXPECT_EQ(data.train.labels, (std::vector<std::int64_t>{1, 0, 3, 0, 9}));
  EXPECT_EQ(data.test.rows, 1);
  EXPECT_EQ(data.test.labels, (std::vector<std::int64_t>{0}));
  // svhn_pixel(n, r, c, ch) = (17n + 5r + 11c + 89ch) % 256; (r, c) and (c, r) differ.
  EXPECT_EQ(pixel(data.train, 3, 1, 3, 5), 210);
  EXPECT_EQ(data.train.bytes[3 * 3072 + 1024 + 3 * 32 + 5], 210);
  EXPECT_EQ(pixel(data.train, 3, 1, 5, 3), 198);
  EXPECT_EQ(pixel(data.train, 4, 2, 31, 0), 145);
  EXPECT_EQ(pixel(data.test, 0, 0, 0, 31), 85);
  EXPECT_EQ(data.files,
            (std::vector<std::filesystem::path>{dir / "train_32x32.mat", dir / "test_32x32.mat"}));
  const auto& norm = data.normalisation;
  EXPECT_DOUBLE_EQ(norm.scale, 1.0 / 255.0);
  EXPECT_EQ(norm.channels, 3);
  EXPECT_EQ(norm.mean, (std::vector<double>{0.4377, 0.4438, 0.4728}));
  EXPECT_EQ(norm.stddev, (std::vector<double>{0.1980, 0.2010, 0.1970}));
  EXPECT_FALSE(norm.from_training_split);
}

TEST(SvhnReader, MissingFileListsWhereItLooked) {
  TempDir first, second;
  const auto what = error_of(read_svhn, {"svhn", {first.path(), second.path()}, {}});
  expect_contains(what, "missing data file train_32x32.mat");
  expect_contains(what, (first / "train_32x32.mat").string());
  expect_contains(what, (second / "train_32x32.mat").string());
}

TEST(SvhnReader, RejectsGarbageAndWrongVariables) {
  SvhnFolder folder;
  const auto name = folder.train().string();
  std::ofstream(folder.train()) << std::string(500, 'g');
  expect_contains(folder.error(), name + ": cannot open as a MATLAB .mat file");

  const auto x = svhn_images(3);
  const std::vector<double> y{1, 2, 3};
  write_mat(folder.train(), {{"images", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, 3}, x.data()},
                             {"y", MAT_C_DOUBLE, MAT_T_DOUBLE, {3, 1}, y.data()}});
  expect_contains(folder.error(), name + ": variable 'X': missing; the file holds only: images, y");

  write_mat(folder.train(), {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, 3}, x.data()}});
  expect_contains(folder.error(), name + ": variable 'y': missing");

  write_mat(folder.train(), {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 48, 2, 3}, x.data()},
                             {"y", MAT_C_DOUBLE, MAT_T_DOUBLE, {3, 1}, y.data()}});
  expect_contains(folder.error(), name + ": variable 'X': is 32x48x2x3, expected 32x32x3xN");

  const std::vector<double> x_double(3 * 3072, 1.0);
  write_mat(folder.train(), {{"X", MAT_C_DOUBLE, MAT_T_DOUBLE, {32, 32, 3, 3}, x_double.data()},
                             {"y", MAT_C_DOUBLE, MAT_T_DOUBLE, {3, 1}, y.data()}});
  expect_contains(folder.error(), name + ": variable 'X': is double, expected uint8");

  const std::vector<float> y_single{1, 2, 3};
  write_mat(folder.train(), {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, 3}, x.data()},
                             {"y", MAT_C_SINGLE, MAT_T_SINGLE, {3, 1}, y_single.data()}});
  expect_contains(folder.error(), name + ": variable 'y': is single, expected double or uint8");

  write_mat(folder.train(), {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, 3}, x.data()},
                             {"y", MAT_C_DOUBLE, MAT_T_DOUBLE, {2, 1}, y.data()}});
  expect_contains(folder.error(), name + ": variable 'y': is 2x1, expected 3x1");
}

TEST(SvhnReader, RejectsLabelsOutsideOneToTen) {
  SvhnFolder folder;
  const auto name = folder.train().string();
  write_svhn_file(folder.train(), {1, 11, 3});
  expect_contains(folder.error(), name + ": variable 'y': example 1: label 11 is not an integer");
  write_svhn_file(folder.train(), {1, 2, 0});
  expect_contains(folder.error(), "example 2: label 0 is not an integer 1..10");
  write_svhn_file(folder.train(), {2.5});
  expect_contains(folder.error(), "example 0: label 2.5 is not an integer 1..10");
}

// matio itself returns zero-filled data for these; the reader's layout check catches them.
TEST(SvhnReader, RejectsTruncatedAndCorruptFiles) {
  SvhnFolder folder;
  const auto name = folder.train().string();
  write_svhn_file(folder.train(), {1, 2, 3, 4});
  const auto size = std::filesystem::file_size(folder.train());
  std::filesystem::resize_file(folder.train(), size - 1);
  auto what = folder.error();
  expect_contains(what, name + ": truncated: the variable at byte");  // y, the last one
  expect_contains(what, "bytes, the file holds");
  std::filesystem::resize_file(folder.train(), size / 2);
  expect_contains(folder.error(), name + ": truncated");

  write_svhn_file(folder.train(), {1, 2, 3, 4}, /*compress=*/true);
  std::filesystem::resize_file(folder.train(), std::filesystem::file_size(folder.train()) - 3);
  expect_contains(folder.error(), name + ": truncated: the variable at byte");

  // One byte flipped inside X's zlib stream.
  write_svhn_file(folder.train(), {1, 2, 3, 4}, /*compress=*/true);
  const auto middle = static_cast<std::streamoff>(std::filesystem::file_size(folder.train()) / 2);
  std::fstream file(folder.train(), std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(middle);
  const char byte = static_cast<char>(file.get() ^ 0x5a);
  file.seekp(middle);
  file.put(byte);
  file.close();
  expect_contains(folder.error(), name + ": corrupt: the variable at byte 128 is not a complete");
}

// sarcos_inv.mat with 6 rows (offset 0.5), sarcos_inv_test.mat with 3 (offset 0.25).
struct SarcosFolder {
  TempDir dir;
  SarcosFolder() {
    write_sarcos_file(dir / "sarcos_inv.mat", "sarcos_inv", 6, 28, 0.5);
    write_sarcos_file(dir / "sarcos_inv_test.mat", "sarcos_inv_test", 3, 28, 0.25);
  }
  ReaderContext context(const std::string& target = "") const {
    ReaderContext out{"sarcos", {dir.path()}, {}};
    if (!target.empty()) out.options["target"] = target;
    return out;
  }
};

TEST(SarcosReader, ReadsInputsAndTheChosenTorque) {
  SarcosFolder folder;
  const auto data = read_sarcos(folder.context());
  EXPECT_EQ(data.task, Task::regression);
  EXPECT_EQ(data.outputs, 1);
  EXPECT_EQ(data.train.rows, 6);
  EXPECT_EQ(data.train.cols, 21);
  EXPECT_EQ(data.test.rows, 3);
  EXPECT_TRUE(data.train.bytes.empty());
  EXPECT_TRUE(data.train.labels.empty());
  ASSERT_EQ(data.train.floats.size(), 6u * 21);
  ASSERT_EQ(data.train.targets.size(), 6u);
  ASSERT_EQ(data.test.targets.size(), 3u);
  EXPECT_EQ(data.train.floats[0], 101.5f);            // row 1, column 1
  EXPECT_EQ(data.train.floats[2 * 21 + 20], 321.5f);  // row 3, column 21
  EXPECT_EQ(data.test.floats[1 * 21 + 6], 207.25f);   // row 2, column 7
  EXPECT_EQ(data.train.targets[2], 322.5f);           // default: torque 1 = column 22
  EXPECT_EQ(data.test.targets[0], 122.25f);
  EXPECT_TRUE(data.normalisation.from_training_split);
  EXPECT_EQ(data.normalisation.source, "training split (per feature)");
  EXPECT_EQ(data.files, (std::vector<std::filesystem::path>{folder.dir / "sarcos_inv.mat",
                                                            folder.dir / "sarcos_inv_test.mat"}));

  const auto seventh = read_sarcos(folder.context("7"));
  EXPECT_EQ(seventh.train.targets[5], 628.5f);  // column 28
  EXPECT_EQ(seventh.test.targets[0], 128.25f);
  EXPECT_EQ(seventh.train.floats, data.train.floats);
  EXPECT_EQ(read_sarcos(folder.context("3")).train.targets[0],
            static_cast<float>(sarcos_value(0, 23, 0.5)));
}

TEST(SarcosReader, RejectsTargetsThatAreNotATorque) {
  SarcosFolder folder;
  for (const std::string target : {"8", "x", "0", "11", " 1"}) {
    const auto what = error_of(read_sarcos, folder.context(target));
    expect_contains(what, "dataset 'sarcos': target '" + target + "' is not a joint torque");
    expect_contains(what, "allowed: 1, 2, 3, 4, 5, 6, 7");
  }
}

TEST(SarcosReader, RejectsWrongShapesNamesAndValues) {
  SarcosFolder folder;
  const auto train = folder.dir / "sarcos_inv.mat";
  write_sarcos_file(train, "sarcos_inv", 6, 27, 0.5);
  expect_contains(error_of(read_sarcos, folder.context()),
                  train.string() + ": variable 'sarcos_inv': is 6x27, expected N x 28");

  const auto test = folder.dir / "sarcos_inv_test.mat";
  write_sarcos_file(train, "sarcos_inv", 6, 28, 0.5);
  write_sarcos_file(test, "sarcos_inv", 3, 28, 0.25);
  expect_contains(error_of(read_sarcos, folder.context()),
                  test.string() +
                      ": variable 'sarcos_inv_test': missing; the file holds only: "
                      "sarcos_inv");

  std::vector<double> values(3 * 28, 1.0);
  values[1 + 3 * 4] = std::numeric_limits<double>::quiet_NaN();
  write_mat(test, {{"sarcos_inv_test", MAT_C_DOUBLE, MAT_T_DOUBLE, {3, 28}, values.data()}});
  expect_contains(error_of(read_sarcos, folder.context()),
                  test.string() + ": variable 'sarcos_inv_test': row 2, column 5 is not a finite");

  const std::vector<double> imaginary(3 * 28, 0.5);
  values.assign(3 * 28, 1.0);
  write_mat(
      test,
      {{"sarcos_inv_test", MAT_C_DOUBLE, MAT_T_DOUBLE, {3, 28}, values.data(), imaginary.data()}});
  expect_contains(error_of(read_sarcos, folder.context()),
                  test.string() + ": variable 'sarcos_inv_test': holds complex numbers");

  const std::vector<float> singles(3 * 28, 1.0f);
  write_mat(test, {{"sarcos_inv_test", MAT_C_SINGLE, MAT_T_SINGLE, {3, 28}, singles.data()}});
  expect_contains(error_of(read_sarcos, folder.context()),
                  "variable 'sarcos_inv_test': is single, expected double");

  std::ofstream(test, std::ios::trunc) << "MATLAB 5.0 MAT-file, but not really";
  expect_contains(error_of(read_sarcos, folder.context()),
                  test.string() + ": cannot open as a MATLAB .mat file");
}

}  // namespace
}  // namespace comet::datasets
