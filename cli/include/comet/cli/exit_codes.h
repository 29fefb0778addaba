#pragma once
// The documented exit codes of `comet` (docs/errors.md).

namespace comet::cli {

enum ExitCode : int {
  kExitOk = 0,             // everything asked for succeeded
  kExitTrialsFailed = 1,   // the run finished, but some trials failed or diverged
  kExitBadInput = 2,       // the command line, a sweep file or a data file is wrong
  kExitStorage = 3,        // the results database or another internal step failed
  kExitInterrupted = 130,  // stopped by Ctrl-C (SIGINT) or SIGTERM; the run can be resumed
};

}  // namespace comet::cli
