#pragma once
// A command function called in-process through the CLI's error boundary, as `comet` calls it:
// its exit code and everything it printed.

#include <ostream>
#include <sstream>
#include <string>
#include <type_traits>

#include "comet/cli/error_boundary.h"

namespace comet::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

// `command` takes (std::ostream& out) or (std::ostream& out, std::ostream& err).
template <typename Command>
CommandResult guarded(Command command) {
  std::ostringstream out, err;
  CommandResult result;
  result.exit_code = cli::run_guarded(
      [&] {
        if constexpr (std::is_invocable_v<Command, std::ostream&, std::ostream&>) {
          return command(out, err);
        } else {
          return command(out);
        }
      },
      err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

}  // namespace comet::testing
