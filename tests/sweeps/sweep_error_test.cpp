#include "comet/sweeps/sweep_error.h"

#include <gtest/gtest.h>

namespace comet::sweeps {
namespace {

TEST(SourceMark, ShowsWhatIsKnown) {
  EXPECT_EQ((SourceMark{"a.yaml", 3, 7}).to_string(), "a.yaml:3:7");
  EXPECT_EQ((SourceMark{"a.yaml", 3, 0}).to_string(), "a.yaml:3");
  EXPECT_EQ((SourceMark{"a.yaml", 0, 0}).to_string(), "a.yaml");
  EXPECT_EQ((SourceMark{"", 0, 0}).to_string(), "");
  EXPECT_EQ((SourceMark{"", 2, 5}).to_string(), "2:5");
}

TEST(SourceMark, ColumnWithoutLineIsNotShown) {
  EXPECT_EQ((SourceMark{"a.yaml", 0, 4}).to_string(), "a.yaml");
}

TEST(SweepError, WhatIsMarkThenMessage) {
  SweepError error({"sweep.yaml", 4, 9}, "epochs: 0 is out of range");
  EXPECT_STREQ(error.what(), "sweep.yaml:4:9: epochs: 0 is out of range");
  EXPECT_EQ(error.message(), "epochs: 0 is out of range");
  EXPECT_EQ(error.mark().line, 4);
  EXPECT_EQ(error.mark().column, 9);
}

TEST(SweepError, WithoutAMarkWhatIsTheMessage) {
  SweepError error({}, "bad value");
  EXPECT_STREQ(error.what(), "bad value");
}

}  // namespace
}  // namespace comet::sweeps
