#pragma once
// For reader tests: the DatasetError a reader throws, and a readable containment check.

#include <gtest/gtest.h>

#include <string>

#include "raw_data.h"

namespace comet::testing {

// The message of the DatasetError `read(context)` throws; a test failure when it throws none.
inline std::string error_of(datasets::RawData (*read)(const datasets::ReaderContext&),
                            const datasets::ReaderContext& context) {
  try {
    read(context);
  } catch (const datasets::DatasetError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a DatasetError";
  return "";
}

inline void expect_contains(const std::string& text, const std::string& fragment) {
  EXPECT_NE(text.find(fragment), std::string::npos) << "'" << fragment << "' not in: " << text;
}

}  // namespace comet::testing
