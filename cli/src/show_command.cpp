// comet show TRIAL: everything the database knows about one trial.

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

#include "query_tables.h"

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/cli/usage_error.h"
#include "comet/results/comparison.h"
#include "comet/results/result_store.h"

namespace comet::cli {

namespace {

struct MetricSummary {
  std::string split, name;
  double final_value = NAN, best = NAN;
  int final_epoch = 0, best_epoch = 0;
};

std::vector<MetricSummary> summarise(const std::vector<results::MetricPoint>& curve) {
  std::map<std::pair<std::string, std::string>, MetricSummary> by_metric;
  for (const auto& p : curve) {  // ordered by epoch
    auto& s = by_metric[{p.split, p.name}];
    s.split = p.split;
    s.name = p.name;
    if (std::isnan(p.value)) continue;
    s.final_value = p.value;
    s.final_epoch = p.epoch;
    const bool lower = results::lower_is_better(p.name);
    if (s.best_epoch == 0 || (lower ? p.value < s.best : p.value > s.best)) {
      s.best = p.value;
      s.best_epoch = p.epoch;
    }
  }
  std::vector<MetricSummary> out;
  for (auto& [key, s] : by_metric) out.push_back(s);
  return out;
}

}  // namespace

results::TrialRow find_trial(const results::ResultStore& store, const std::string& wanted) {
  const auto found = store.trials_with_id_prefix(wanted);
  if (found.empty()) throw UsageError("no trial '" + wanted + "' in the database");
  if (found.size() > 1) {
    throw UsageError(
        fmt::format("'{}' is the start of {} trial ids ({}, {}, ...); give more digits", wanted,
                    found.size(), found[0].id, found[1].id));
  }
  return found[0];
}

namespace {

Cell real_or_empty(double v) { return std::isnan(v) ? Cell{} : Cell(v); }

nlohmann::ordered_json real_or_null(double v) {
  return std::isnan(v) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
}

}  // namespace

nlohmann::ordered_json trial_json(const results::ResultStore& store,
                                  const results::TrialRow& trial) {
  const auto metrics = summarise(store.curve(trial.id));
  const auto attempts = store.attempts(trial.id);
  nlohmann::ordered_json j;
  j["id"] = trial.id;
  j["status"] = results::to_string(trial.status);
  j["sweeps"] = trial.sweeps;
  j["config"] = nlohmann::ordered_json::parse(trial.config.canonical_json());
  j["trainable_parameters"] = trial.trainable_parameters
                                  ? nlohmann::ordered_json(*trial.trainable_parameters)
                                  : nlohmann::ordered_json(nullptr);
  j["epochs"] = trial.epochs_done;
  j["metrics"] = nlohmann::json::array();
  for (const auto& m : metrics) {
    nlohmann::ordered_json metric;
    metric["split"] = m.split;
    metric["name"] = m.name;
    metric["final"] = real_or_null(m.final_value);
    metric["final_epoch"] = m.final_epoch;
    metric["best"] = real_or_null(m.best);
    metric["best_epoch"] = m.best_epoch;
    j["metrics"].push_back(metric);
  }
  j["attempts"] = nlohmann::json::array();
  for (const auto& a : attempts) {
    nlohmann::ordered_json attempt;
    attempt["id"] = a.id;
    attempt["host"] = a.host;
    attempt["device"] = a.device;
    attempt["worker_pid"] = a.worker_pid;
    attempt["device_name"] = a.device_name;
    attempt["blas"] = a.blas;
    attempt["threads"] = a.threads;
    attempt["started_at"] = a.started_at;
    attempt["ended_at"] = a.ended_at;
    attempt["outcome"] = a.outcome;
    attempt["kind"] = a.kind;
    attempt["error"] = a.error;
    j["attempts"].push_back(attempt);
  }
  return j;
}

int show_command(const ShowParams& params, std::ostream& out) {
  auto store = results::ResultStore::open_read_only(params.db);
  const auto trial = find_trial(store, params.trial);
  if (params.format == OutputFormat::json) {
    out << trial_json(store, trial).dump(2) << "\n";
    return kExitOk;
  }
  const auto metrics = summarise(store.curve(trial.id));
  const auto attempts = store.attempts(trial.id);
  Table summary;
  summary.columns = {{"field"}, {"value"}};
  summary.rows.push_back({std::string("id"), trial.id});
  summary.rows.push_back({std::string("status"), std::string(results::to_string(trial.status))});
  std::string sweeps;
  for (const auto& s : trial.sweeps) sweeps += (sweeps.empty() ? "" : ",") + s;
  summary.rows.push_back({std::string("sweeps"), sweeps});
  summary.rows.push_back({std::string("epochs"), std::int64_t{trial.epochs_done}});
  summary.rows.push_back({std::string("trainable_parameters"),
                          trial.trainable_parameters ? Cell(*trial.trainable_parameters) : Cell{}});
  for (const auto& [key, value] : trial.config.values()) {
    summary.rows.push_back({"config." + key, sweeps::to_display(value)});
  }
  Table metric_table;
  metric_table.columns = {{"split"},       {"metric"},  {"final", 4},
                          {"final_epoch"}, {"best", 4}, {"best_epoch"}};
  for (const auto& m : metrics) {
    metric_table.rows.push_back({m.split, m.name, real_or_empty(m.final_value),
                                 std::int64_t{m.final_epoch}, real_or_empty(m.best),
                                 std::int64_t{m.best_epoch}});
  }
  Table attempt_table;
  attempt_table.columns = {{"attempt"}, {"host"},    {"device"}, {"device_name"},
                           {"blas"},    {"threads"}, {"pid"},    {"started"},
                           {"ended"},   {"outcome"}, {"kind"},   {"error"}};
  for (const auto& a : attempts) {
    attempt_table.rows.push_back({a.id, a.host, a.device, a.device_name, a.blas,
                                  std::int64_t{a.threads}, a.worker_pid, a.started_at, a.ended_at,
                                  a.outcome, a.kind, a.error});
  }
  // csv: the three tables one after the other, each with its header, a blank line between.
  print_table(summary, params.format, out);
  out << "\n";
  print_table(metric_table, params.format, out);
  out << "\n";
  print_table(attempt_table, params.format, out);
  return kExitOk;
}

}  // namespace comet::cli
