#pragma once
// The comet binary as a child process, for tests of what the operating system does to it: a file
// size limit (RLIMIT_FSIZE, at start or set later with prlimit), an unprivileged user (for
// read-only files when the tests run as root, whom chmod does not stop). Its stdout and stderr
// are read into strings by threads (pipes, not files: a file size limit would cut a log file).

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "test_paths.h"

namespace comet::testing {

struct CometProcessOptions {
  std::optional<rlim_t> file_size_limit;  // RLIMIT_FSIZE from the start, in bytes
  std::optional<uid_t> user;              // setuid/setgid to this (from root only)
  std::optional<gid_t> group;
  std::string binary = kCometBinary;  // a copy, where the build folder is closed to `user`
};

class CometProcess {
 public:
  // Starts `comet <args...>`. SIGXFSZ is left at its default in the child: comet must ignore it
  // itself (a write past the limit then fails with EFBIG instead of killing it).
  explicit CometProcess(const std::vector<std::string>& args, CometProcessOptions options = {}) {
    std::vector<std::string> all = {options.binary};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls from here on: the parent has threads.
      ::signal(SIGXFSZ, SIG_DFL);
      if (options.file_size_limit) {
        const rlimit limit{*options.file_size_limit, *options.file_size_limit};
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(125);
      }
      if (options.group && (::setgroups(0, nullptr) != 0 || ::setgid(*options.group) != 0)) {
        ::_exit(124);
      }
      if (options.user && ::setuid(*options.user) != 0) ::_exit(124);
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(err[1], STDERR_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    out_reader_ = std::thread([this, fd = out[0]] { drain(fd, out_); });
    err_reader_ = std::thread([this, fd = err[0]] { drain(fd, err_); });
  }
  CometProcess(const CometProcess&) = delete;
  CometProcess& operator=(const CometProcess&) = delete;
  ~CometProcess() {
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
    join();
  }

  pid_t pid() const { return pid_; }
  // True while it runs (not yet exited). Reaps it when it has.
  bool running() {
    if (waited_ || pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return true;
    finish(status);
    return false;
  }
  // Its exit code, 128 + the signal that killed it, or -1 if it could not start.
  int wait() {
    if (!waited_ && pid_ > 0) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
      finish(status);
    }
    join();
    return exit_code_;
  }
  // What it printed; complete once wait() (or running() == false) returned.
  const std::string& out() {
    join();
    return out_;
  }
  const std::string& err() {
    join();
    return err_;
  }

 private:
  static void drain(int fd, std::string& into) {
    char buffer[4096];
    while (true) {
      const auto n = ::read(fd, buffer, sizeof buffer);
      if (n > 0) {
        into.append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        break;
      }
    }
    ::close(fd);
  }
  void finish(int status) {
    waited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  // The pipes end when comet and every worker it started have exited (workers inherit no pipe
  // ends: they get their own), so joining after the wait does not hang.
  void join() {
    if (!waited_) return;
    if (out_reader_.joinable()) out_reader_.join();
    if (err_reader_.joinable()) err_reader_.join();
  }

  pid_t pid_ = -1;
  bool waited_ = false;
  int exit_code_ = -1;
  std::string out_, err_;
  std::thread out_reader_, err_reader_;
};

}  // namespace comet::testing
