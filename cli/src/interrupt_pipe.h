#pragma once
// SIGINT and SIGTERM as bytes on a pipe (the self-pipe trick): the scheduler polls the read end
// with its workers' pipes and decides what an interrupt means (the first stops gracefully, the
// second kills the workers). The signal handlers only write(2) a byte.

namespace comet::cli {

class InterruptPipe {
 public:
  InterruptPipe();   // installs the handlers; throws std::runtime_error if it cannot
  ~InterruptPipe();  // restores the previous handlers
  InterruptPipe(const InterruptPipe&) = delete;
  InterruptPipe& operator=(const InterruptPipe&) = delete;

  int read_fd() const { return read_fd_; }

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

}  // namespace comet::cli
