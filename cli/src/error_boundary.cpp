#include "comet/cli/error_boundary.h"

#include <ostream>

#include "comet/cli/bench_command.h"
#include "comet/cli/exit_codes.h"
#include "comet/cli/usage_error.h"
#include "comet/datasets/dataset.h"
#include "comet/datasets/fetch.h"
#include "comet/engine/analysis.h"
#include "comet/engine/trial_scheduler.h"
#include "comet/models/network.h"
#include "comet/results/comparison.h"
#include "comet/results/figures.h"
#include "comet/results/store_error.h"
#include "comet/sweeps/sweep_error.h"

namespace comet::cli {

int run_guarded(const std::function<int()>& command, std::ostream& err) {
  try {
    return command();
  } catch (const UsageError& e) {
    err << "comet: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const sweeps::SweepError& e) {
    err << "comet: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const datasets::DatasetError& e) {
    err << "comet: data error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const engine::WorkerInputError& e) {
    err << "comet: data error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const results::QueryError& e) {
    err << "comet: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const engine::AnalysisError& e) {
    err << "comet: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const models::ModelError& e) {
    err << "comet: model error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const results::StoreError& e) {
    err << "comet: storage error: " << e.what() << "\n";
    return kExitStorage;
  } catch (const results::GnuplotError& e) {
    err << "comet: gnuplot error: " << e.what() << "\n";
    return kExitStorage;
  } catch (const engine::SchedulerError& e) {
    err << "comet: worker error: " << e.what() << "\n";
    return kExitStorage;
  } catch (const datasets::FetchError& e) {
    // The bytes could not be had (network, HTTP 4xx) or written: not the user's input.
    err << "comet: download error: " << e.what() << "\n";
    return kExitStorage;
  } catch (const BenchError& e) {
    // A measured program (the peer, a comet run) failed: not the user's input.
    err << "comet: bench error: " << e.what() << "\n";
    return kExitStorage;
  } catch (const std::exception& e) {
    err << "comet: internal error: " << e.what() << "\n";
    return kExitStorage;
  }
}

}  // namespace comet::cli
