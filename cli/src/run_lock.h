#pragma once
// One scheduler per database: `comet run` holds an exclusive flock(2) on `<db>.runs/run.lock`
// for as long as it runs, so that a second `comet run` on the same database cannot train the
// same trials at once. The kernel drops the lock when the process dies, however it dies.

#include <filesystem>

namespace comet::cli {

class RunLock {
 public:
  // Takes the lock, writing this process's pid, host and start time into the file. Throws
  // results::StoreError naming the process that holds it (exit code 3).
  explicit RunLock(const std::filesystem::path& run_dir);
  ~RunLock();  // releases it (the file stays: deleting it would race a waiting process)
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace comet::cli
