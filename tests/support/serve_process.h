#pragma once
// `comet serve --port 0` as a child process: waits (bounded) for the line with its URL and
// reads the port from it; the destructor stops it with SIGTERM (SIGKILL if it does not exit).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "test_paths.h"

namespace comet::testing {

class ServeProcess {
 public:
  explicit ServeProcess(std::vector<std::string> args) {
    args.insert(args.begin(), {kCometBinary, "serve", "--port", "0"});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    out_fd_ = out[0];
    // The first line: "comet serve: http://127.0.0.1:PORT/ ..."; at most 20 s (a loaded CI).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (output_.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buffer[512];
      const auto n = ::read(out_fd_, buffer, sizeof buffer);
      if (n <= 0) break;
      output_.append(buffer, static_cast<std::size_t>(n));
    }
    const auto at = output_.find("127.0.0.1:");
    if (at != std::string::npos) port_ = std::stoi(output_.substr(at + 10));
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;
  ~ServeProcess() {
    if (pid_ > 0 && exit_code_ < 0) stop(SIGTERM);
    if (out_fd_ >= 0) ::close(out_fd_);
  }

  int port() const { return port_; }  // 0 when it printed no URL
  const std::string& first_output() const { return output_; }
  // Sends `signal` and waits up to 10 s for the exit (then SIGKILL); returns the exit code.
  int stop(int signal) {
    ::kill(pid_, signal);
    for (int i = 0; i < 100 && exit_code_ < 0; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    if (exit_code_ < 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      exit_code_ = 137;
    }
    return exit_code_;
  }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
  int exit_code_ = -1;
  std::string output_;
};

}  // namespace comet::testing
