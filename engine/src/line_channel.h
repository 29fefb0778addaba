#pragma once
// Newline-delimited messages over a pipe: the transport of the worker protocol.

#include <string>
#include <string_view>
#include <vector>

namespace comet::engine {

// Splits the bytes read from one file descriptor into lines (without their '\n').
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  // One read(2) (blocking unless the descriptor is non-blocking), complete lines appended to
  // `lines`. False once the other end is closed (EOF) or the descriptor fails; a final line
  // without '\n' is still delivered then. EAGAIN and EINTR count as "nothing yet" (true).
  bool read_some(std::vector<std::string>& lines);
  int fd() const { return fd_; }

 private:
  int fd_;
  std::string pending_;
};

// Writes all of `bytes`, retrying after EINTR and short writes. False if the reader is gone
// (EPIPE; callers ignore SIGPIPE) or the write fails.
bool write_all(int fd, std::string_view bytes);

}  // namespace comet::engine
