#pragma once
// HTTP to a `comet serve` on 127.0.0.1 for tests: whole requests as raw bytes (to send what no
// client library would: malformed lines, traversal, huge headers) and plain GETs. Every call has
// a timeout; nothing leaves the loopback interface.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace comet::testing {

struct HttpAnswer {
  int status = 0;  // 0: no answer (refused, closed, timed out)
  std::string head, body;
};

// Sends `request` as is to 127.0.0.1:port and reads the answer until it is complete
// (Content-Length), the server closes the connection, or `timeout_ms` passes.
inline HttpAnswer raw_http(int port, const std::string& request, int timeout_ms = 5000) {
  HttpAnswer answer;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return answer;
  }
  std::size_t sent = 0;
  while (sent < request.size()) {
    const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early on a request it refuses
    sent += static_cast<std::size_t>(n);
  }
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buffer[8192];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    // A whole answer is in: the server may keep the connection open (it does after a
    // malformed request, until its 5 s read timeout), so stop here rather than wait.
    const auto end = text.find("\r\n\r\n");
    const auto length = text.find("Content-Length: ");
    if (end != std::string::npos && length != std::string::npos && length < end &&
        text.size() >= end + 4 + std::stoul(text.substr(length + 16))) {
      break;
    }
  }
  ::close(fd);
  if (text.rfind("HTTP/1.1 ", 0) == 0 && text.size() >= 12)
    answer.status = std::stoi(text.substr(9, 3));
  const auto split = text.find("\r\n\r\n");
  answer.head = text.substr(0, split);
  if (split != std::string::npos) answer.body = text.substr(split + 4);
  return answer;
}

inline HttpAnswer http_get(int port, const std::string& target, int timeout_ms = 5000) {
  return raw_http(port,
                  "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                  timeout_ms);
}

}  // namespace comet::testing
