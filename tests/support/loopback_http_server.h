#pragma once
// A small HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for download tests: no test reaches
// the internet. Serves a map path -> bytes, honours "Range: bytes=N-" with 206 (416 past the
// end), answers 404 for unknown paths, and can be told to cut a response short once, to answer
// an error status once, or to ignore ranges. One connection at a time, "Connection: close" on every
// response.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace comet::testing {

class LoopbackHttpServer {
 public:
  struct Request {
    std::string path;
    std::optional<std::string> range;  // the Range header's value, if sent
  };

  LoopbackHttpServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;  // the kernel picks a free port
    socklen_t len = sizeof(addr);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(listen_fd_);
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;
  ~LoopbackHttpServer() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes the blocked accept()
    thread_.join();
    ::close(listen_fd_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void serve(const std::string& path, std::string bytes) {
    std::lock_guard lock(mutex_);
    files_[path] = std::move(bytes);
  }
  // The next response for `path` announces the whole length but sends only `bytes` of the body
  // before closing the connection.
  void cut_after_once(const std::string& path, std::size_t bytes) {
    std::lock_guard lock(mutex_);
    cuts_[path] = bytes;
  }
  // The next request for `path` is answered with `status` (500: a transient server error).
  void fail_once(const std::string& path, int status = 500) {
    std::lock_guard lock(mutex_);
    failures_[path] = status;
  }
  // Answer every request with the whole file (200), as servers without range support do.
  void ignore_ranges(bool ignore) {
    std::lock_guard lock(mutex_);
    ignore_ranges_ = ignore;
  }
  std::vector<Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void run() {
    while (!stop_) {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;   // shutdown() or a signal; stop_ decides
      timeval timeout{5, 0};  // a test client that never sends must not hang the server
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
      handle(fd);
      ::close(fd);
    }
  }

  static void send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      // MSG_NOSIGNAL: a client that went away is not a SIGPIPE for the test process.
      const auto n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  static std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  }

  static std::string response(int status, const std::string& reason,
                              const std::vector<std::string>& headers, std::size_t length) {
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
    for (const auto& h : headers) head += h + "\r\n";
    head += "Content-Length: " + std::to_string(length) + "\r\nConnection: close\r\n\r\n";
    return head;
  }

  void handle(int fd) {
    std::string in;
    char buffer[4096];
    while (in.find("\r\n\r\n") == std::string::npos) {
      const auto n = ::recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) return;
      in.append(buffer, static_cast<std::size_t>(n));
    }
    Request request;
    const auto line_end = in.find("\r\n");
    const auto first = in.substr(0, line_end);
    const auto sp1 = first.find(' '), sp2 = first.rfind(' ');
    request.path = first.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t pos = line_end + 2;
    while (pos < in.size()) {
      const auto end = in.find("\r\n", pos);
      if (end == std::string::npos || end == pos) break;
      const auto header = in.substr(pos, end - pos);
      const auto colon = header.find(':');
      if (colon != std::string::npos && lower(header.substr(0, colon)) == "range") {
        request.range = header.substr(header.find_first_not_of(' ', colon + 1));
      }
      pos = end + 2;
    }

    std::string body;
    std::optional<std::size_t> cut;
    int failure = 0;
    bool found = false, ranges = true;
    {
      std::lock_guard lock(mutex_);
      ranges = !ignore_ranges_;
      requests_.push_back(request);
      if (auto f = failures_.find(request.path); f != failures_.end()) {
        failure = f->second;
        failures_.erase(f);
      }
      if (auto it = files_.find(request.path); it != files_.end()) {
        found = true;
        body = it->second;
      }
      if (auto c = cuts_.find(request.path); c != cuts_.end() && failure == 0 && found) {
        cut = c->second;
        cuts_.erase(c);
      }
    }
    if (failure != 0 || !found) {
      const int status = failure != 0 ? failure : 404;
      const std::string text = status == 404 ? "not found" : "server error";
      send_all(fd, response(status, status == 404 ? "Not Found" : "Error", {}, text.size()) + text);
      return;
    }

    const std::size_t total = body.size();
    std::size_t start = 0;
    if (ranges && request.range && request.range->rfind("bytes=", 0) == 0) {
      start = std::strtoull(request.range->c_str() + 6, nullptr, 10);
      if (start >= total) {
        send_all(fd, response(416, "Range Not Satisfiable",
                              {"Content-Range: bytes */" + std::to_string(total)}, 0));
        return;
      }
    }
    const auto payload = body.substr(start);
    const auto head = start > 0
                          ? response(206, "Partial Content",
                                     {"Content-Range: bytes " + std::to_string(start) + "-" +
                                      std::to_string(total - 1) + "/" + std::to_string(total)},
                                     payload.size())
                          : response(200, "OK", {}, payload.size());
    send_all(fd, head + (cut ? payload.substr(0, std::min(*cut, payload.size())) : payload));
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::map<std::string, std::string> files_;
  std::map<std::string, std::size_t> cuts_;
  std::map<std::string, int> failures_;
  std::vector<Request> requests_;
  bool ignore_ranges_ = false;
};

}  // namespace comet::testing
