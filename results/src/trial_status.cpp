#include <fmt/format.h>

#include "comet/results/result_store.h"

namespace comet::results {

std::string_view to_string(TrialStatus status) {
  switch (status) {
    case TrialStatus::pending:
      return "pending";
    case TrialStatus::running:
      return "running";
    case TrialStatus::done:
      return "done";
    case TrialStatus::failed:
      return "failed";
    case TrialStatus::diverged:
      return "diverged";
  }
  return "unknown";
}

TrialStatus trial_status_from_string(std::string_view text) {
  for (auto status : {TrialStatus::pending, TrialStatus::running, TrialStatus::done,
                      TrialStatus::failed, TrialStatus::diverged}) {
    if (to_string(status) == text) {
      return status;
    }
  }
  throw StoreError(fmt::format(
      "unknown trial status '{}' (expected pending, running, done, failed or diverged)", text));
}

}  // namespace comet::results
