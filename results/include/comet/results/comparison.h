#pragma once
// "Which variant wins where, by how much, how sure are we": one metric of a sweep's done trials,
// reduced per trial (best, final or area under the curve), then mean ± std over the trials that
// differ only in their seed, per (row value, column value, compared value).

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "comet/results/result_store.h"

namespace comet::results {

// A question the data cannot answer as asked (an axis the sweep lacks, an unknown metric, an
// empty selection): bad input, CLI exit code 2.
class QueryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `key=value` conditions on trial configs; a value matches its displayed text, or the same
// number (`lr=1e-3` matches 0.001). Never SQL: compared in C++.
class TrialFilter {
 public:
  // Each `condition` must be `key=value`; throws QueryError otherwise.
  explicit TrialFilter(const std::vector<std::string>& conditions);
  bool matches(const sweeps::TrialConfig& config) const;
  std::vector<TrialRow> apply(std::vector<TrialRow> trials) const;

 private:
  std::vector<std::pair<std::string, std::string>> conditions_;
};

enum class Aggregate { best, final, auc };
Aggregate aggregate_from_string(std::string_view text);  // throws QueryError
// A property of the metric's name (without its split): losses, MSE, errors, perplexities
// (perplexity, ppl) and seconds go down as a model gets better; accuracies and the rest go up.
bool lower_is_better(std::string_view metric);
// The metric a question about these trials reads when none is asked for: "val_ppl" when every
// trial is a language model (arch gpt2); "val_loss" (the validation mean squared error) when
// every trial has task regression, which records no accuracy; else "val_acc".
std::string default_metric(const std::vector<TrialRow>& trials);

struct ComparisonSpec {
  std::string rows = "width";  // "" for a single row
  std::string cols = "p_k";    // "" for a single column
  std::string by = "model";    // the variants compared within each cell
  std::string split = "val";
  std::string metric = "acc";
  Aggregate aggregate = Aggregate::best;
};

struct ComparisonCell {
  std::string row, col, by;  // displayed values ("" for an axis not used)
  double mean = 0;
  double stddev = 0;  // sample standard deviation (n - 1); 0 when n == 1
  int n = 0;          // trials (seeds) with a value
  bool best = false;  // the best mean of its (row, col) cell: max, or min if lower_is_better
};

// One metric's values per trial id, ordered by epoch (ResultStore::metric_series).
using MetricSeries = std::map<std::string, std::vector<std::pair<int, double>>>;

// The trial's reduced value: best = max (min when lower is better) over epochs, final = the last
// epoch's, auc = the mean over epochs (area under the curve per epoch). NaN epochs are skipped;
// nullopt when none is left.
std::optional<double> reduce(const std::vector<std::pair<int, double>>& series, Aggregate aggregate,
                             bool lower_better);

// Cells in first-seen order of the trials. Only `done` trials count. A trial whose model
// ignores the rows (cols) key (sweeps::ParamDef::ignored_when: standard's p_k, folded to 1) is
// in every row (column) that the trials using the key give, as Fig. 4 and `comet plot grid`
// draw it in every panel; such a key never counts as varying among the trials. Throws QueryError
// when an axis is in no trial, or when another config key (seed aside) varies among the trials: it
// would be pooled with the seeds; the message says to compare over it or filter it out.
std::vector<ComparisonCell> compare_trials(const std::vector<TrialRow>& trials,
                                           const MetricSeries& series, const ComparisonSpec& spec);

}  // namespace comet::results
