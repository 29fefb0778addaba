#include "run_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "comet/engine/runtime_info.h"
#include "comet/results/store_error.h"

namespace comet::cli {

RunLock::RunLock(const std::filesystem::path& run_dir) {
  std::error_code ec;
  std::filesystem::create_directories(run_dir, ec);
  if (ec) {
    throw results::StoreError(
        fmt::format("cannot create the run folder {}: {}", run_dir.string(), ec.message()));
  }
  const auto path = run_dir / "run.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw results::StoreError(
        fmt::format("cannot open the run lock {}: {}", path.string(), std::strerror(errno)));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    std::ifstream in(path);
    std::string holder;
    std::getline(in, holder);
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK) {
      throw results::StoreError(fmt::format(
          "another comet run is using this database ({}); wait for it to finish, stop it, or "
          "use another --db (lock: {})",
          holder.empty() ? "its pid is not recorded yet" : holder, path.string()));
    }
    throw results::StoreError(
        fmt::format("cannot lock {}: {}", path.string(), std::strerror(error)));
  }
  const auto who = fmt::format("pid {} on host {}\n", ::getpid(), engine::host_name());
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, who.data(), who.size(), 0) < 0) {
    // The lock holds without the note; only the message of a second run gets vaguer.
  }
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

}  // namespace comet::cli
