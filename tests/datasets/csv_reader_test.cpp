#include "csv_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "reader_errors.h"
#include "temp_dir.h"

namespace comet::datasets {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

void write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

ReaderContext context_for(const TempDir& dir, std::map<std::string, std::string> options) {
  return {"csv", {dir.path()}, std::move(options)};
}

std::string error_of(const ReaderContext& context) { return testing::error_of(read_csv, context); }

using testing::expect_contains;

// The error for `body` as the training file, whose target column is "y".
std::string error_for(const std::string& body) {
  TempDir dir;
  write(dir / "d.csv", body);
  return error_of(context_for(dir, {{"file", "d.csv"}, {"target", "y"}}));
}

TEST(CsvReader, ReadsFeaturesExactlyAndMapsClassesInSortedOrder) {
  TempDir dir;
  write(dir / "d.csv", "a,y,b\n1.5,dog,-2\n-0.25,cat,3e2\n7,bird,+4.5\n0,cat,1e-3\n");
  const auto data = read_csv(context_for(dir, {{"file", "d.csv"}, {"target", "y"}}));
  EXPECT_EQ(data.task, Task::classification);
  EXPECT_EQ(data.outputs, 3);
  EXPECT_EQ(data.train.rows, 4);
  EXPECT_EQ(data.train.cols, 2);
  EXPECT_TRUE(data.train.bytes.empty());
  EXPECT_EQ(data.train.floats,
            (std::vector<float>{1.5f, -2.0f, -0.25f, 300.0f, 7.0f, 4.5f, 0.0f, 1e-3f}));
  EXPECT_EQ(data.train.labels, (std::vector<std::int64_t>{2, 1, 0, 1}));  // bird, cat, dog
  EXPECT_EQ(data.test.rows, 0);
  EXPECT_TRUE(data.normalisation.from_training_split);
  EXPECT_EQ(data.files, (std::vector<fs::path>{dir / "d.csv"}));
}

TEST(CsvReader, NumericClassesSortByValue) {
  TempDir dir;
  write(dir / "d.csv", "x,y\n1,10\n2,9\n3,-1\n4,2.5\n5,9\n");
  const auto data = read_csv(context_for(dir, {{"file", "d.csv"}, {"target", "y"}}));
  EXPECT_EQ(data.outputs, 4);
  EXPECT_EQ(data.train.labels, (std::vector<std::int64_t>{3, 2, 0, 1, 2}));
}

TEST(CsvReader, CrlfQuotesAndTrailingBlankLines) {
  TempDir dir;
  write(dir / "d.csv",
        "\"f \"\"one\"\"\", \"y\" ,f2\r\n\"1.25\",\"a,b\", 2 \r\n3,\"c\"\"d\",\"-4\"\r\n\r\n\r\n");
  const auto data = read_csv(context_for(dir, {{"file", "d.csv"}, {"target", "y"}}));
  EXPECT_EQ(data.train.rows, 2);
  EXPECT_EQ(data.train.floats, (std::vector<float>{1.25f, 2.0f, 3.0f, -4.0f}));
  EXPECT_EQ(data.train.labels, (std::vector<std::int64_t>{0, 1}));  // "a,b" < "c\"d"
  write(dir / "q.csv", "\"f \"\"one\"\"\",z\n1,2\n");
  const auto by_quoted_name = read_csv(
      context_for(dir, {{"file", "q.csv"}, {"target", "f \"one\""}, {"task", "regression"}}));
  EXPECT_EQ(by_quoted_name.train.targets, (std::vector<float>{1.0f}));
}

TEST(CsvReader, SkipsAByteOrderMark) {
  TempDir dir;
  write(dir / "d.csv", "\xEF\xBB\xBFy,x\n1,2\n");
  EXPECT_EQ(read_csv(context_for(dir, {{"file", "d.csv"}, {"target", "y"}})).train.floats,
            (std::vector<float>{2.0f}));
}

TEST(CsvReader, RegressionTargetsAndTestFile) {
  TempDir dir;
  write(dir / "train.csv", "u,v,t\n1,2,0.5\n3,4,-1.5\n");
  write(dir / "test.csv", "u,v,t\n5,6,2\n");
  const auto data = read_csv(context_for(
      dir,
      {{"file", "train.csv"}, {"test_file", "test.csv"}, {"target", "t"}, {"task", "regression"}}));
  EXPECT_EQ(data.task, Task::regression);
  EXPECT_EQ(data.outputs, 1);
  EXPECT_EQ(data.train.targets, (std::vector<float>{0.5f, -1.5f}));
  EXPECT_TRUE(data.train.labels.empty());
  EXPECT_EQ(data.test.rows, 1);
  EXPECT_EQ(data.test.floats, (std::vector<float>{5.0f, 6.0f}));
  EXPECT_EQ(data.test.targets, (std::vector<float>{2.0f}));
  EXPECT_EQ(data.files, (std::vector<fs::path>{dir / "train.csv", dir / "test.csv"}));
}

TEST(CsvReader, TestFileUsesTheTrainingClasses) {
  TempDir dir;
  write(dir / "train.csv", "x,y\n1,b\n2,a\n3,c\n");
  write(dir / "test.csv", "x,y\n4,c\n5,a\n");
  const auto data = read_csv(
      context_for(dir, {{"file", "train.csv"}, {"test_file", "test.csv"}, {"target", "y"}}));
  EXPECT_EQ(data.test.labels, (std::vector<std::int64_t>{2, 0}));
  write(dir / "test.csv", "x,y\n4,c\n5,z\n");
  const auto message = error_of(
      context_for(dir, {{"file", "train.csv"}, {"test_file", "test.csv"}, {"target", "y"}}));
  expect_contains(message, (dir / "test.csv").string() + ":3:2: class 'z'");
  write(dir / "test.csv", "y,x\n4,c\n");
  expect_contains(error_of(context_for(
                      dir, {{"file", "train.csv"}, {"test_file", "test.csv"}, {"target", "y"}})),
                  "test.csv:1: columns (y, x) differ from the training file's (x, y)");
}

TEST(CsvReader, AbsolutePathsAndMissingFiles) {
  TempDir dir, elsewhere;
  write(elsewhere / "d.csv", "x,y\n1,2\n");
  const auto absolute = (elsewhere / "d.csv").string();
  EXPECT_EQ(read_csv(context_for(dir, {{"file", absolute}, {"target", "y"}})).train.rows, 1);
  expect_contains(error_of(context_for(dir, {{"file", absolute + "x"}, {"target", "y"}})),
                  "d.csvx: no such file");
  expect_contains(error_of(context_for(dir, {{"file", "gone.csv"}, {"target", "y"}})),
                  "missing data file gone.csv");
}

TEST(CsvReader, OptionErrors) {
  TempDir dir;
  write(dir / "d.csv", "x,y\n1,2\n");
  expect_contains(error_of(context_for(dir, {{"target", "y"}})), "option 'file'");
  expect_contains(error_of(context_for(dir, {{"file", "d.csv"}})), "option 'target'");
  expect_contains(
      error_of(context_for(dir, {{"file", "d.csv"}, {"target", "y"}, {"task", "ranking"}})),
      "option 'task' is 'ranking'; allowed: classification, regression");
}

TEST(CsvReader, MissingTargetColumnListsTheColumns) {
  expect_contains(error_for("a,b,c\n1,2,3\n"), "d.csv:1: no target column 'y'; columns: a, b, c");
}

TEST(CsvReader, WrongFieldCountNamesLineAndColumn) {
  expect_contains(error_for("x,y\n1,2\n3,4,5\n"), "d.csv:3:3: 3 fields, but the header has 2");
  expect_contains(error_for("x,y,z\n1,2,3\n4,5\n"), "d.csv:3:3: 2 fields, but the header has 3");
}

TEST(CsvReader, NonNumericValuesNameLineAndColumn) {
  expect_contains(error_for("y,x\n1,2\n0,abc\n"), "d.csv:3:2: column 'x': 'abc' is not a number");
  expect_contains(error_for("y,x\n1,nan\n"), "d.csv:2:2: column 'x': 'nan' is not a finite number");
  expect_contains(error_for("y,x\n1,-inf\n"), "d.csv:2:2: column 'x': '-inf' is not a finite");
  expect_contains(error_for("y,x\n1,\n"), "d.csv:2:2: column 'x': empty value");
  expect_contains(error_for("y,x\n1,1e999\n"), "'1e999' is out of float range");
  expect_contains(error_for("y,x\n1,2 3\n"), "'2 3' is not a number");
  expect_contains(error_for("y,x\n,1\n"), "d.csv:2:1: column 'y': empty class");
}

TEST(CsvReader, MalformedStructure) {
  expect_contains(error_for(""), "d.csv: empty file");
  expect_contains(error_for("\n\r\n"), "d.csv: empty file");
  expect_contains(error_for("x,y\r\n"), "d.csv: no data rows after the header");
  expect_contains(error_for("x,y\n1,2\n\n3,4\n"), "d.csv:3: blank line inside the data");
  expect_contains(error_for("x,y\n1,\"2\n"), "d.csv:2:2: quoted field is never closed");
  expect_contains(error_for("x,y\n1,\"2\"3\n"), "d.csv:2:2: text after the closing quote");
  expect_contains(error_for("x,y\n1,2\"\n"), "d.csv:2:2: quote inside an unquoted field");
  expect_contains(error_for("y,y\n1,2\n"), "d.csv:1:2: column name 'y' appears twice");
  expect_contains(error_for("y\n1\n"), "no feature column besides the target");
}

TEST(CsvReader, QuotedNewlineKeepsLineNumbersRight) {
  // The header's quoted name spans lines 1-2, so the bad value is on line 4.
  expect_contains(error_for("\"x\nx\",y\n1,2\nbad,3\n"), "d.csv:4:1: column 'x\nx': 'bad'");
}

}  // namespace
}  // namespace comet::datasets
