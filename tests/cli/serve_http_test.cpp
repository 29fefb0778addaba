// comet serve over HTTP on 127.0.0.1: the server in-process (ServeServer) for the page, its
// headers, hostile requests, rate limits and live updates; the binary for start-up errors and
// signals. Every loop is bounded; all traffic stays on loopback.

#include "serve_http.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "comet_process.h"
#include "serve_fixture.h"
#include "serve_process.h"
#include "serve_server.h"
#include "temp_dir.h"

namespace comet::cli {
namespace {

using testing::http_get;
using testing::raw_http;

// A server on an ephemeral port, stopped (through its pipe) and joined by the destructor.
class InProcessServer {
 public:
  InProcessServer(const std::filesystem::path& db, ServerLimits limits = {})
      : server_(ServeApi(db), limits) {
    if (::pipe(stop_) != 0) throw std::runtime_error("pipe");
    port_ = server_.bind("127.0.0.1", 0);
    thread_ = std::thread([this] { server_.serve_until(stop_[0]); });
  }
  ~InProcessServer() {
    const char byte = 1;
    (void)!::write(stop_[1], &byte, 1);
    thread_.join();
    ::close(stop_[0]);
    ::close(stop_[1]);
  }
  int port() const { return port_; }

 private:
  ServeServer server_;
  int stop_[2] = {-1, -1};
  int port_ = 0;
  std::thread thread_;
};

class ServeHttpTest : public ::testing::Test {
 protected:
  void SetUp() override { fixture_ = testing::write_serve_fixture(db_); }
  testing::TempDir dir_;
  std::filesystem::path db_ = dir_ / "q.db";
  testing::ServeFixture fixture_;
};

TEST_F(ServeHttpTest, ServesThePageItsAssetsAndSecurityHeaders) {
  InProcessServer server(db_);
  const auto page = http_get(server.port(), "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("/assets/app.js"), std::string::npos);
  EXPECT_NE(page.head.find("Content-Security-Policy: default-src 'none'; script-src 'self'"),
            std::string::npos)
      << page.head;
  EXPECT_NE(page.head.find("X-Content-Type-Options: nosniff"), std::string::npos);
  const auto dygraphs = http_get(server.port(), "/assets/dygraph.min.js");
  EXPECT_EQ(dygraphs.status, 200);
  EXPECT_GT(dygraphs.body.size(), 100000u);
  const auto api = http_get(server.port(), "/api/sweeps");
  EXPECT_EQ(api.status, 200);
  EXPECT_NE(api.head.find("Server-Timing: app;dur="), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(api.body)[0]["sweep"], "quickstart");
}

TEST_F(ServeHttpTest, HostileRequestsGet4xxAndTheServerKeepsServing) {
  InProcessServer server(db_);
  const int port = server.port();
  const std::vector<std::string> targets = {
      "/../../../../etc/passwd",
      "/assets/../../../../etc/passwd",
      "/assets/..%2f..%2f..%2fetc%2fpasswd",
      "/assets/%2e%2e/%2e%2e/etc/passwd",
      "/assets/app.js%00.png",
      "/etc/passwd",
      "/api/sweeps/..%2f..%2fetc/trials",
      "/api/trials/%00",
      "/api/sweeps/quickstart/trials?where=model%3Dcomet'%20OR%201%3D1%3B%20DROP%20TABLE%20trials"
      "%3B--&sort=id%3B%20DELETE%20FROM%20metrics",
      "/api/sweeps/quickstart/trials?limit=99999999999999999999999",
      "/api/sweeps/quickstart/trials?where=" + std::string(2000, 'a'),
      "/api/sweeps/quickstart/trials?where=" + std::string(7000, 'w'),
      "/api/sweeps/" + std::string(500, 'x') + "/trials",
  };
  for (const auto& target : targets) {
    const auto answer = http_get(port, target);
    EXPECT_GE(answer.status, 400) << target.substr(0, 100);
    EXPECT_LT(answer.status, 500) << target.substr(0, 100);
    EXPECT_EQ(answer.body.find("root:"), std::string::npos);
  }
  const std::vector<std::string> raw = {
      "GET /" + std::string(100000, 'a') + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'b') +
          "\r\nConnection: close\r\n\r\n",
      "GARBAGE\r\n\r\n",
      "GET\r\n\r\n",
      "POST /api/sweeps HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
      "DELETE /api/sweeps HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET /api/sweeps HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n" +
          std::string(100000, 'z'),
  };
  for (const auto& request : raw) {
    const auto answer = raw_http(port, request);
    EXPECT_GE(answer.status, 400) << request.substr(0, 60);
    EXPECT_LT(answer.status, 500) << request.substr(0, 60);
  }
  EXPECT_EQ(http_get(port, "/api/sweeps").status, 200);  // still serving
  // SQL text in a filter is compared as text, never run: the trials are all still there.
  const auto all = http_get(port, "/api/sweeps/quickstart/trials");
  EXPECT_EQ(nlohmann::json::parse(all.body)["total"], 12);
}

TEST_F(ServeHttpTest, RateLimitAnswers429ThenRecovers) {
  InProcessServer server(db_, ServerLimits{5, 10});
  int refused = 0;
  for (int i = 0; i < 30; ++i) refused += http_get(server.port(), "/api/sweeps").status == 429;
  EXPECT_GE(refused, 10);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(http_get(server.port(), "/api/sweeps").status, 200);
}

TEST_F(ServeHttpTest, NewEpochsShowWithin2Seconds) {
  InProcessServer server(db_);
  const std::string curves = "/api/trials/" + fixture_.running_id + "/curves";
  auto epochs_of = [&] {
    const auto answer = http_get(server.port(), curves);
    return answer.status == 200 ? nlohmann::json::parse(answer.body)["epochs"].get<int>() : -1;
  };
  ASSERT_EQ(epochs_of(), 1);
  {
    auto writer = results::ResultStore::open(db_);  // as comet run writes it
    writer.record_epoch(fixture_.running_id, testing::fixture_epoch(2, 0.8));
  }
  const auto written = std::chrono::steady_clock::now();
  while (epochs_of() != 2 && std::chrono::steady_clock::now() - written < std::chrono::seconds(2)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(epochs_of(), 2);
  EXPECT_LT(std::chrono::steady_clock::now() - written, std::chrono::seconds(2));
}

TEST_F(ServeHttpTest, BinaryStopsOnSigtermAndSigintWithExit0) {
  for (const int signal : {SIGTERM, SIGINT}) {
    testing::ServeProcess serve({"--db", db_.string()});
    ASSERT_GT(serve.port(), 0) << serve.first_output();
    EXPECT_EQ(http_get(serve.port(), "/api/sweeps").status, 200);
    EXPECT_EQ(serve.stop(signal), 0);
  }
}

TEST_F(ServeHttpTest, BinaryRefusesAMissingDatabaseAndABadHost) {
  testing::CometProcess missing({"serve", "--db", (dir_ / "none.db").string(), "--port", "0"});
  EXPECT_EQ(missing.wait(), 3);
  EXPECT_NE(missing.err().find("storage error: no results database at"), std::string::npos)
      << missing.err();
  testing::CometProcess host({"serve", "--db", db_.string(), "--host", "example.com"});
  EXPECT_EQ(host.wait(), 2);
  EXPECT_NE(host.err().find("--host 'example.com': not an IP address"), std::string::npos)
      << host.err();
}

TEST_F(ServeHttpTest, ADatabaseThatBreaksWhileServingIs503NotACrash) {
  InProcessServer server(db_);
  std::filesystem::rename(db_, dir_ / "moved.db");
  const auto gone = http_get(server.port(), "/api/sweeps");
  EXPECT_EQ(gone.status, 503);
  EXPECT_NE(gone.body.find("no results database"), std::string::npos);
  std::ofstream(db_) << std::string(8192, 'x');  // not a database
  EXPECT_EQ(http_get(server.port(), "/api/sweeps").status, 503);
  EXPECT_EQ(http_get(server.port(), "/").status, 200);  // the page still loads and says so
}

}  // namespace
}  // namespace comet::cli
