#pragma once
// A command-line value that is not allowed (CLI exit code 2), e.g. an unusable --devices.

#include <stdexcept>

namespace comet::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace comet::cli
