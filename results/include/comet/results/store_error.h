#pragma once
// Errors of the results store: the database cannot be opened, read or written (CLI exit 3).

#include <stdexcept>
#include <string>

namespace comet::results {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace comet::results
