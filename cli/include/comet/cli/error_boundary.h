#pragma once
// The one place where exceptions become messages and exit codes (docs/errors.md):
//   cli::UsageError, sweeps::SweepError, datasets::DatasetError, models::ModelError -> 2 (bad
//   input); results::StoreError -> 3 (storage); datasets::FetchError -> 3 (a download that
//   could not be had or written); anything else -> 3 (internal).

#include <functional>
#include <iosfwd>

namespace comet::cli {

int run_guarded(const std::function<int()>& command, std::ostream& err);

}  // namespace comet::cli
