#pragma once
// Storage errors (CLI exit 3): the results database cannot be opened, read or written, or (from
// the scheduler) a trial's checkpoint or the run folder cannot be written.

#include <stdexcept>
#include <string>

namespace comet::results {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace comet::results
