#include "worker_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>
#include <thread>

#include "comet/engine/trial_scheduler.h"

extern char** environ;

namespace comet::engine {

namespace {

struct Pipe {
  int read = -1, write = -1;
};

// Close-on-exec, so that no worker inherits another worker's pipe ends (its EOF would never come).
Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw SchedulerError(std::string("cannot create a pipe for a worker: ") + std::strerror(errno));
  }
  return {fds[0], fds[1]};
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status) == 0 ? ""
                                    : "exited with code " + std::to_string(WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = sigabbrev_np(sig);
    return "was killed by signal " + std::to_string(sig) +
           (name != nullptr ? std::string(" (SIG") + name + ")" : std::string());
  }
  return "ended with status " + std::to_string(status);
}

}  // namespace

std::unique_ptr<WorkerProcess> WorkerProcess::spawn(const std::filesystem::path& executable,
                                                    const std::vector<std::string>& extra_env) {
  std::vector<std::string> env_text = extra_env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto name = text.substr(0, text.find('=') + 1);
    bool overridden = false;
    for (const auto& extra : extra_env) overridden |= extra.rfind(name, 0) == 0;
    if (!overridden) env_text.emplace_back(text);
  }
  std::vector<char*> envp;
  for (auto& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);
  auto in = make_pipe(), out = make_pipe(), err = make_pipe();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group: Ctrl-C at the terminal goes to the scheduler only. Signals the
  // scheduler ignores or handles start out at their defaults in the worker.
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGPIPE);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  const std::string program = executable.string();
  std::string subcommand = "worker";
  char* argv[] = {const_cast<char*>(program.c_str()), subcommand.data(), nullptr};
  pid_t pid = 0;
  const int failed = ::posix_spawn(&pid, program.c_str(), &actions, &attributes, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close_fd(in.read);
  close_fd(out.write);
  close_fd(err.write);
  if (failed != 0) {
    close_fd(in.write);
    close_fd(out.read);
    close_fd(err.read);
    throw SchedulerError("cannot start worker " + program + ": " + std::strerror(failed));
  }
  // Non-blocking reads: the scheduler reads only what poll() says is there.
  ::fcntl(out.read, F_SETFL, O_NONBLOCK);
  ::fcntl(err.read, F_SETFL, O_NONBLOCK);
  return std::unique_ptr<WorkerProcess>(new WorkerProcess(pid, in.write, out.read, err.read));
}

WorkerProcess::WorkerProcess(pid_t pid, int in_fd, int out_fd, int err_fd)
    : pid_(pid),
      in_fd_(in_fd),
      out_fd_(out_fd),
      err_fd_(err_fd),
      events_(out_fd),
      errors_(err_fd) {}

WorkerProcess::~WorkerProcess() {
  if (!reaped_) {
    kill_now();
    wait();
  }
  close_fd(in_fd_);
  close_fd(out_fd_);
  close_fd(err_fd_);
}

bool WorkerProcess::send(const std::string& line) { return in_fd_ >= 0 && write_all(in_fd_, line); }

void WorkerProcess::close_input() { close_fd(in_fd_); }

void WorkerProcess::kill_now() {
  if (!reaped_) ::kill(pid_, SIGKILL);
}

std::string WorkerProcess::wait() {
  if (reaped_) return how_;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  how_ = describe_status(status);
  return how_;
}

std::string WorkerProcess::wait_or_kill(double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!reaped_ && std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    const pid_t got = ::waitpid(pid_, &status, WNOHANG);
    if (got == pid_) {
      reaped_ = true;
      how_ = describe_status(status);
      return how_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill_now();
  return wait();
}

}  // namespace comet::engine
