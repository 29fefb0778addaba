#pragma once
// One `comet worker` child process with its three pipes. The scheduler polls events() and
// errors(); the worker is in a process group of its own, so the terminal's Ctrl-C reaches only
// the scheduler, which then decides what the workers do.

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "line_channel.h"

namespace comet::engine {

class WorkerProcess {
 public:
  // Starts `<executable> worker` with this process's environment plus `extra_env` ("NAME=value"
  // entries, which win). Throws SchedulerError if it cannot be started.
  static std::unique_ptr<WorkerProcess> spawn(const std::filesystem::path& executable,
                                              const std::vector<std::string>& extra_env = {});
  ~WorkerProcess();  // a worker still running is killed (SIGKILL) and reaped
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  pid_t pid() const { return pid_; }
  // False if the worker no longer reads (it died; its exit shows up on events()).
  bool send(const std::string& line);
  void close_input();                       // EOF on the worker's stdin: an idle worker exits
  LineReader& events() { return events_; }  // its stdout: protocol events
  LineReader& errors() { return errors_; }  // its stderr: free text for its log
  bool errors_open() const { return errors_open_; }
  void mark_errors_closed() { errors_open_ = false; }

  void kill_now();  // SIGKILL
  // Waits for the worker to end (blocking) and describes how: "" for exit code 0, else
  // "exited with code N" or "was killed by signal 9 (SIGKILL)".
  std::string wait();
  // Waits up to `seconds` for the worker to end, then kills it. Returns wait()'s text.
  std::string wait_or_kill(double seconds);

 private:
  WorkerProcess(pid_t pid, int in_fd, int out_fd, int err_fd);
  pid_t pid_;
  int in_fd_, out_fd_, err_fd_;
  LineReader events_, errors_;
  bool errors_open_ = true;
  bool reaped_ = false;
  std::string how_;
};

}  // namespace comet::engine
