#pragma once
// The worker side of the scheduler: a long-lived process (`comet worker`, started by `comet run`)
// that trains the trials it is sent, one at a time, and reports every event as a JSON line
// (worker_protocol.h). It never touches the database.

namespace comet::engine {

// Serves the protocol on `in_fd` (commands) and `out_fd` (events) until the scheduler closes
// the commands pipe, sends stop, or dies (the worker then exits by itself within a training
// step, or at once through PR_SET_PDEATHSIG). Returns the process exit code: 0 after a normal
// end, 3 after a protocol error.
int run_worker(int in_fd, int out_fd);

}  // namespace comet::engine
