// The only file that includes cpp-httplib (libcpp-httplib-dev).

#include "serve_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <poll.h>

#include <chrono>
#include <thread>

#include "serve_assets.h"
#include "serve_rate_limit.h"

#include "comet/cli/usage_error.h"

namespace comet::cli {
namespace {

// Scripts and styles only from this server (the embedded files); data only from its API; no
// frames, forms, plugins or other origins. Inline styles are allowed because dygraphs positions
// its legend and labels with style attributes.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

// cpp-httplib refuses a request line over 8 KiB (414) and a header line over 8 KiB (400); a body
// is refused in the pre-routing handler (413), and this bounds what it would read of one.
constexpr std::size_t kMaxBodyBytes = 1024;  // a GET has no body; anything more is refused

std::string error_json(int status, const std::string& message) {
  return fmt::format(R"({{"error": "{}", "status": {}}})", message, status);
}

void send_asset(const Asset& asset, httplib::Response& res) {
  res.set_content(asset.bytes.data(), asset.bytes.size(), std::string(asset.content_type).c_str());
  // The files change only with the binary; a reload after an upgrade must not use old ones.
  res.set_header("Cache-Control", "no-cache");
}

}  // namespace

struct ServeServer::Impl {
  Impl(ServeApi api_, ServerLimits limits)
      : api(std::move(api_)), limiter(limits.requests_per_second, limits.burst) {}
  ServeApi api;
  RateLimiter limiter;
  httplib::Server server;
};

ServeServer::ServeServer(ServeApi api, ServerLimits limits)
    : impl_(std::make_unique<Impl>(std::move(api), limits)) {
  auto& server = impl_->server;
  server.set_payload_max_length(kMaxBodyBytes);
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  server.set_keep_alive_max_count(100);
  server.set_keep_alive_timeout(5);
  server.set_default_headers({{"Content-Security-Policy", kContentSecurityPolicy},
                              {"X-Content-Type-Options", "nosniff"},
                              {"X-Frame-Options", "DENY"},
                              {"Referrer-Policy", "no-referrer"}});

  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!impl_->limiter.allow(req.remote_addr)) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      res.set_content(error_json(429, "too many requests; slow down"), "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.method != "GET" && req.method != "HEAD") {
      res.status = 405;
      res.set_header("Allow", "GET, HEAD");
      res.set_content(error_json(405, "the server is read-only: GET and HEAD only"),
                      "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }
    // cpp-httplib does not read a GET's body; refuse one rather than leave it unread.
    if (req.has_header("Transfer-Encoding") ||
        (req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0")) {
      res.status = 413;
      res.set_content(error_json(413, "a request to this server has no body"), "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    send_asset(*find_asset("index.html"), res);
  });
  server.Get(R"(/assets/([^/]+))", [](const httplib::Request& req, httplib::Response& res) {
    // An exact name of the embedded table; "..", "%2e%2e%2f..." or a path never matches one.
    if (const auto* asset = find_asset(req.matches[1].str())) {
      send_asset(*asset, res);
    } else {
      res.status = 404;
    }
  });
  server.Get(R"(/api/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    ApiRequest request{req.path, {req.params.begin(), req.params.end()}};
    const auto answer = impl_->api.handle(request);
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    res.status = answer.status;
    res.set_content(answer.body, "application/json");
    res.set_header("Cache-Control", "no-store");  // live data
    // Server time, measured here (docs/serve.md, docs/performance.md): browsers show it in
    // their network panel, curl -D- prints it.
    res.set_header("Server-Timing", fmt::format("app;dur={:.2f}", took.count()));
  });
  // Everything not routed above, and cpp-httplib's own refusals (400 for a malformed request,
  // 414 for a long one): a short JSON body instead of an empty one.
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      res.set_content(error_json(res.status, res.status == 404 ? "not found" : "bad request"),
                      "application/json");
    }
  });
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content(error_json(500, "internal error"), "application/json");
      });
}

ServeServer::~ServeServer() = default;

int ServeServer::bind(const std::string& host, int port) {
  auto& server = impl_->server;
  if (port == 0) {
    const int bound = server.bind_to_any_port(host);
    if (bound > 0) return bound;
  } else if (server.bind_to_port(host, port)) {
    return port;
  }
  throw UsageError(fmt::format(
      "cannot listen on {}:{} (the port is in use, or the address is not this machine's); "
      "choose another --port or --host",
      host, port));
}

void ServeServer::serve_until(int stop_fd) {
  std::thread listener([this] { impl_->server.listen_after_bind(); });
  pollfd watch{stop_fd, POLLIN, 0};
  while (::poll(&watch, 1, -1) < 0 && errno == EINTR) {
  }
  impl_->server.stop();
  listener.join();
}

}  // namespace comet::cli
