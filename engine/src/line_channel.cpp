#include "line_channel.h"

#include <unistd.h>

#include <cerrno>

namespace comet::engine {

bool LineReader::read_some(std::vector<std::string>& lines) {
  char buffer[65536];
  const ssize_t got = ::read(fd_, buffer, sizeof buffer);
  if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return true;
  if (got <= 0) {
    if (!pending_.empty()) lines.push_back(std::move(pending_));
    pending_.clear();
    return false;
  }
  pending_.append(buffer, static_cast<std::size_t>(got));
  std::size_t start = 0;
  for (auto end = pending_.find('\n'); end != std::string::npos; end = pending_.find('\n', start)) {
    lines.push_back(pending_.substr(start, end - start));
    start = end + 1;
  }
  pending_.erase(0, start);
  return true;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t put = ::write(fd, bytes.data(), bytes.size());
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(put));
  }
  return true;
}

}  // namespace comet::engine
