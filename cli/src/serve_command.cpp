// comet serve: checks the address and the database, then hands over to ServeServer.

#include <arpa/inet.h>
#include <fmt/format.h>

#include <ostream>

#include "serve_server.h"

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/cli/usage_error.h"
#include "comet/results/result_store.h"

namespace comet::cli {
namespace {

enum class HostKind { loopback, other };

HostKind check_host(const std::string& host) {
  if (host == "localhost") return HostKind::loopback;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127 ? HostKind::loopback : HostKind::other;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6) ? HostKind::loopback : HostKind::other;
  }
  throw UsageError(fmt::format(
      "--host '{}': not an IP address; give one of this machine's addresses, e.g. 127.0.0.1 "
      "(the default), ::1 or 0.0.0.0 (every interface)",
      host.substr(0, 80)));
}

}  // namespace

int serve_command(const ServeParams& params, std::ostream& out, std::ostream& err) {
  const HostKind kind = check_host(params.host);
  if (params.port < 0 || params.port > 65535) {
    throw UsageError(fmt::format("--port {}: allowed is 0 (any free port) to 65535", params.port));
  }
  if (params.stop_fd < 0) throw UsageError("comet serve needs a stop signal to watch");
  // The reader's checks now (exit 3 for a missing, damaged or older database), not at the
  // first request; the server then opens it again for every request.
  results::ResultStore::open_read_only(params.db, results::ResultStore::OlderSchema::refuse);

  ServeServer server(ServeApi(params.db), ServerLimits{});
  const int port = server.bind(params.host, params.port);
  if (kind == HostKind::other) {
    err << fmt::format(
        "comet serve: warning: listening on {}, not on loopback: anyone who can reach this "
        "machine can read the results (there is no login). Use the default 127.0.0.1 and an SSH "
        "tunnel to share it safely.\n",
        params.host);
  }
  const bool v6 = params.host.find(':') != std::string::npos;
  out << fmt::format("comet serve: http://{}{}{}:{}/ (database {}, read-only); Ctrl-C stops\n",
                     v6 ? "[" : "", params.host, v6 ? "]" : "", port, params.db.string())
      << std::flush;
  server.serve_until(params.stop_fd);
  out << "comet serve: stopped\n" << std::flush;
  return kExitOk;
}

}  // namespace comet::cli
