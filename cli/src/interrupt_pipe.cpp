#include "interrupt_pipe.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace comet::cli {

namespace {

volatile sig_atomic_t g_write_fd = -1;  // the only state the handler touches
struct sigaction g_previous_int, g_previous_term;

extern "C" void write_interrupt_byte(int) {
  const int saved = errno;
  const char byte = 1;
  if (g_write_fd >= 0) {
    const auto ignored = ::write(g_write_fd, &byte, 1);  // a full pipe already says "interrupt"
    (void)ignored;
  }
  errno = saved;
}

}  // namespace

InterruptPipe::InterruptPipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::runtime_error(std::string("cannot create the interrupt pipe: ") +
                             std::strerror(errno));
  }
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  g_write_fd = write_fd_;
  struct sigaction action {};
  action.sa_handler = write_interrupt_byte;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, &g_previous_int);
  ::sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptPipe::~InterruptPipe() {
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
  g_write_fd = -1;
  ::close(read_fd_);
  ::close(write_fd_);
}

}  // namespace comet::cli
