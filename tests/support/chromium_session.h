#pragma once
// Headless chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: the
// browser reads JSON messages from fd 3 and writes them to fd 4, each ended by a NUL byte), for
// tests that must watch a page over real time (a page updating while the test writes the
// database): open a URL, evaluate JavaScript in it, read the value. Every wait has a deadline;
// the destructor closes the browser (SIGKILL after 5 s).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace comet::testing {

class ChromiumSession {
 public:
  ChromiumSession(const std::string& chromium, const std::string& profile_dir) {
    int to_browser[2], from_browser[2];
    if (::pipe2(to_browser, O_CLOEXEC) != 0 || ::pipe2(from_browser, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe");
    }
    std::vector<std::string> args = {chromium,
                                     "--headless=new",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--disable-dev-shm-usage",
                                     "--no-first-run",
                                     "--remote-debugging-pipe",
                                     "--user-data-dir=" + profile_dir,
                                     "--window-size=1400,1300",
                                     "about:blank"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      // fds 3 and 4 as the protocol wants them (dup2 clears close-on-exec); stderr silenced.
      ::dup2(to_browser[0], 3);
      ::dup2(from_browser[1], 4);
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(to_browser[0]);
    ::close(from_browser[1]);
    write_fd_ = to_browser[1];
    read_fd_ = from_browser[0];
  }
  ChromiumSession(const ChromiumSession&) = delete;
  ChromiumSession& operator=(const ChromiumSession&) = delete;
  ~ChromiumSession() {
    try {
      call("Browser.close", nlohmann::json::object(), "", 2000);
    } catch (const std::exception&) {
      // killed below
    }
    ::close(write_fd_);
    ::close(read_fd_);
    for (int i = 0; i < 50; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }

  // Opens `url` in a new tab; later evaluate() calls run there.
  void open(const std::string& url) {
    const auto target = call("Target.createTarget", {{"url", url}});
    session_ = call("Target.attachToTarget",
                    {{"targetId", target["targetId"]}, {"flatten", true}})["sessionId"];
  }
  // The value of a JavaScript expression in the page (as JSON: a string, number, null, ...).
  nlohmann::json evaluate(const std::string& expression) {
    const auto answer =
        call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}}, session_);
    return answer["result"].value("value", nlohmann::json());
  }

 private:
  nlohmann::json call(const std::string& method, const nlohmann::json& params,
                      const std::string& session = "", int timeout_ms = 20000) {
    nlohmann::json message = {{"id", ++last_id_}, {"method", method}, {"params", params}};
    if (!session.empty()) message["sessionId"] = session;
    const std::string text = message.dump() + '\0';
    if (::write(write_fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      throw std::runtime_error("chromium: cannot send " + method);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      const auto end = buffer_.find('\0');
      if (end == std::string::npos) {
        pollfd p{read_fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        char chunk[65536];
        const auto n = ::read(read_fd_, chunk, sizeof chunk);
        if (n <= 0) throw std::runtime_error("chromium closed the pipe during " + method);
        buffer_.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      const auto reply = nlohmann::json::parse(buffer_.substr(0, end));
      buffer_.erase(0, end + 1);
      if (reply.value("id", -1) != last_id_) continue;  // an event, or an older answer
      if (reply.contains("error")) {
        throw std::runtime_error("chromium: " + method + ": " + reply["error"].dump());
      }
      return reply["result"];
    }
    throw std::runtime_error("chromium: no answer to " + method);
  }

  pid_t pid_ = -1;
  int write_fd_ = -1, read_fd_ = -1;
  int last_id_ = 0;
  std::string session_, buffer_;
};

}  // namespace comet::testing
