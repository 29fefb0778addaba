#include "serve_trial_cache.h"

#include <sys/stat.h>

namespace comet::cli {

TrialListCache::Trials TrialListCache::trials(const results::ResultStore& store,
                                              const std::filesystem::path& db,
                                              const std::string& sweep) {
  std::lock_guard lock(mutex_);
  struct stat info {};
  const bool exists = ::stat(db.c_str(), &info) == 0;
  const std::pair<dev_t, ino_t> file{info.st_dev, info.st_ino};
  try {
    if (!exists || !watch_ || file != file_) {
      by_sweep_.clear();
      watch_.reset();
      watch_.emplace(
          results::ResultStore::open_read_only(db, results::ResultStore::OlderSchema::refuse));
      file_ = file;
      version_ = watch_->data_version();
    }
    if (const auto version = watch_->data_version(); version != version_) {
      by_sweep_.clear();
      version_ = version;
    }
  } catch (const results::StoreError&) {
    // The request's own store read the file a moment ago; list from it, keep nothing.
    watch_.reset();
    by_sweep_.clear();
    return std::make_shared<const std::vector<results::TrialRow>>(store.list_trials(sweep));
  }
  auto& cached = by_sweep_[sweep];
  // Listed after the version was read: at worst newer than the version says, and the next
  // commit clears it anyway.
  if (!cached)
    cached = std::make_shared<const std::vector<results::TrialRow>>(store.list_trials(sweep));
  return cached;
}

}  // namespace comet::cli
