#pragma once
// A page of a sweep's trials as a person filters and sorts them in a table (`comet serve`):
// applied in C++ to what ResultStore::list_trials returns (the rows `comet ls trials` and
// `comet export` show), so no filter value ever reaches SQL.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "comet/results/result_store.h"

namespace comet::results {

// The trial columns a condition or a sort may name besides config keys.
inline constexpr const char* kSelectableColumns[] = {"id",           "status",        "epochs",
                                                     "best_val_acc", "final_val_acc", "params"};

struct TrialSelection {
  // Conditions, all of which must hold: `key=value` (TrialFilter's rule: displayed text or the
  // same number), `key!=value`, or `key<number`, `<=`, `>`, `>=` (numbers only; a trial without
  // a number there does not match). key: a config key or a trial column.
  std::vector<std::string> where = {};
  std::optional<TrialStatus> status = {};
  std::string sort = "";  // "" keeps the sweep's order; a config key or a trial column
  bool descending = false;
  std::size_t offset = 0;
  std::size_t limit = 100;
};

struct TrialPage {
  std::size_t total = 0;  // trials that pass the conditions, before offset and limit
  std::vector<TrialRow> trials;
};

// Throws QueryError for a malformed condition (no operator, no key, a non-number after < or >).
// Sorting is stable; trials without a value for the sort key come last in either direction.
// Only the page's rows are copied.
TrialPage select_trials(const std::vector<TrialRow>& trials, const TrialSelection& selection);

}  // namespace comet::results
