#include "idx_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

#include "idx_fixture.h"
#include "temp_dir.h"

#include "comet/datasets/dataset.h"

namespace comet::datasets {
namespace {

using testing::TempDir;
using testing::write_idx;

void expect_error(const std::filesystem::path& path, int dims, const std::string& fragment) {
  try {
    read_idx_u8(path, dims);
    FAIL() << "expected DatasetError containing '" << fragment << "'";
  } catch (const DatasetError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path.string()), std::string::npos) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
  }
}

TEST(IdxReader, ReadsRawFileExactly) {
  TempDir dir;
  write_idx(dir / "x", {2, 2, 3}, {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255});
  auto a = read_idx_u8(dir / "x", 3);
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 2, 3}));
  EXPECT_EQ(a.values[5], 5);
  EXPECT_EQ(a.values[11], 255);
}

TEST(IdxReader, ReadsGzipByContent) {
  TempDir dir;
  write_idx(dir / "raw", {4}, {9, 8, 7, 6});
  std::ifstream in(dir / "raw", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  gzFile gz = gzopen((dir / "labels.gz").c_str(), "wb");
  gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(gz);
  auto a = read_idx_u8(dir / "labels.gz", 1);
  EXPECT_EQ(a.values, (std::vector<std::uint8_t>{9, 8, 7, 6}));
}

TEST(IdxReader, RejectsBrokenFiles) {
  TempDir dir;
  expect_error(dir / "missing", 1, "no such file");

  std::ofstream(dir / "magic", std::ios::binary) << "PK\x03\x04garbage";
  expect_error(dir / "magic", 1, "bad magic");

  write_idx(dir / "dims", {2, 2}, {1, 2, 3, 4});
  expect_error(dir / "dims", 1, "2 dimensions, expected 1");

  write_idx(dir / "short", {10}, {1, 2, 3});
  expect_error(dir / "short", 1, "truncated");

  write_idx(dir / "long", {2}, {1, 2, 3});
  expect_error(dir / "long", 1, "trailing bytes");

  std::ofstream(dir / "tiny", std::ios::binary) << "\x00\x00";
  expect_error(dir / "tiny", 1, "truncated");

  // A gzip stream cut in half.
  std::vector<std::uint8_t> big(5000, 7);
  write_idx(dir / "big", {5000}, big);
  std::ifstream in(dir / "big", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  gzFile gz = gzopen((dir / "cut.gz").c_str(), "wb");
  gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(gz);
  std::filesystem::resize_file(dir / "cut.gz", std::filesystem::file_size(dir / "cut.gz") / 2);
  EXPECT_THROW(read_idx_u8(dir / "cut.gz", 1), DatasetError);
}

}  // namespace
}  // namespace comet::datasets
