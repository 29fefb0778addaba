#pragma once
// The HTTP side of `comet serve`: cpp-httplib behind a pimpl (its header is heavy and stays in
// serve_server.cpp). Serves the embedded page (serve_assets.h) and ServeApi, nothing else.

#include <memory>
#include <string>

#include "serve_api.h"

namespace comet::cli {

struct ServerLimits {
  double requests_per_second = 50;  // per client address, after a burst of `burst`
  double burst = 100;
};

class ServeServer {
 public:
  ServeServer(ServeApi api, ServerLimits limits);
  ~ServeServer();
  ServeServer(const ServeServer&) = delete;
  ServeServer& operator=(const ServeServer&) = delete;

  // Binds host:port (port 0: any free port) and returns the port; throws UsageError when the
  // address cannot be bound (in use, not this machine's).
  int bind(const std::string& host, int port);
  // Serves until a byte can be read from `stop_fd` (InterruptPipe's, or a test's pipe), then
  // stops accepting, finishes the requests under way and returns.
  void serve_until(int stop_fd);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace comet::cli
