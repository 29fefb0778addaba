#pragma once
// The trials of a sweep (ResultStore::list_trials, the rows of `comet ls trials` and `export`),
// kept between comet serve's requests while the database does not change. Listing 10,000
// trials reads their best and final accuracy from some 40,000 pages scattered over the file;
// the page asks for the list every second, and only a commit of `comet run` changes it.
// A change is seen through PRAGMA data_version of one connection the cache keeps open (it
// changes whenever another connection commits) and the file's identity (device, inode: a
// database replaced or moved away is a new one).

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "comet/results/result_store.h"

namespace comet::cli {

class TrialListCache {
 public:
  using Trials = std::shared_ptr<const std::vector<results::TrialRow>>;
  // The sweep's trials as `store` (the request's own connection) lists them, or as listed
  // earlier when nothing was committed since. Throws what list_trials throws.
  Trials trials(const results::ResultStore& store, const std::filesystem::path& db,
                const std::string& sweep);

 private:
  std::mutex mutex_;
  std::optional<results::ResultStore> watch_;
  std::pair<dev_t, ino_t> file_{};
  std::int64_t version_ = -1;
  std::map<std::string, Trials> by_sweep_;
};

}  // namespace comet::cli
