// comet paper report: per figure, the paper's claim, what the database measured and whether it
// agrees, as Markdown (docs/reproduction.md is this report for the CPU-scale runs).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

#include "query_tables.h"

#include "comet/cli/exit_codes.h"
#include "comet/cli/paper_command.h"
#include "comet/cli/usage_error.h"
#include "comet/results/comparison.h"
#include "comet/results/result_store.h"

namespace comet::cli {
namespace {

struct Finding {
  std::string measured;
  std::string verdict = "not run";  // agrees, disagrees, not run
};

double numeric(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

// model's best mean per row value (over the columns, e.g. p_k), rows sorted as numbers.
std::map<double, double> best_per_row(const results::ResultStore& store, const std::string& sweep,
                                      const std::string& model, const std::string& rows,
                                      const std::string& metric, std::vector<std::string> where,
                                      bool lower) {
  CompareParams q;
  q.sweep = sweep;
  q.rows = rows;
  q.cols = model == "comet" ? "p_k" : "none";
  q.metric = metric;
  where.push_back("model=" + model);
  q.where = where;
  std::map<double, double> best;
  for (const auto& c : compare_sweep(store, q).cells) {
    if (c.n == 0) continue;
    const double row = numeric(c.row);
    auto [it, inserted] = best.try_emplace(row, c.mean);
    if (!inserted && (lower ? c.mean < it->second : c.mean > it->second)) it->second = c.mean;
  }
  return best;
}

// COMET's lead over standard per size (positive: COMET better) and the trend verdict: the claim
// holds when COMET leads at the largest size and by more than at the smallest.
Finding size_trend(const results::ResultStore& store, const std::string& sweep,
                   const std::string& rows, const std::string& metric,
                   const std::vector<std::string>& where, const std::string& label) {
  const bool lower = results::lower_is_better(metric.substr(metric.find('_') + 1));
  const auto comet = best_per_row(store, sweep, "comet", rows, metric, where, lower);
  const auto standard = best_per_row(store, sweep, "standard", rows, metric, where, lower);
  std::vector<std::pair<double, double>> lead;  // (size, COMET's lead: > 0 when it is better)
  std::string text;
  for (const auto& [size, value] : comet) {
    const auto other = standard.find(size);
    if (other == standard.end()) continue;
    const double d = lower ? other->second - value : value - other->second;
    lead.emplace_back(size, d);
    text += fmt::format("{}{} {}: comet {:.4f}, standard {:.4f} ({:+.4f})",
                        text.empty() ? "" : "; ", rows, size, value, other->second, d);
  }
  Finding f;
  if (lead.empty()) return f;
  f.measured = label + fmt::format("best {} per {}: ", metric, rows) + text;
  if (lead.size() < 2) {
    f.verdict = lead.back().second > 0 ? "agrees (one size only)" : "disagrees (one size only)";
  } else {
    f.verdict =
        lead.back().second > 0 && lead.back().second > lead.front().second ? "agrees" : "disagrees";
  }
  return f;
}

Finding activations(const results::ResultStore& store, const std::string& sweep) {
  // Activations are names, not sizes: one compare over them, comet and standard side by side.
  CompareParams q;
  q.sweep = sweep;
  q.rows = "activation";
  q.cols = "none";
  Finding f;
  int wins = 0, total = 0;
  std::map<std::string, std::map<std::string, double>> by_activation;
  for (const auto& c : compare_sweep(store, q).cells) {
    if (c.n > 0) by_activation[c.row][c.by] = c.mean;
  }
  std::string text;
  for (const auto& [activation, models] : by_activation) {
    if (!models.count("comet") || !models.count("standard")) continue;
    ++total;
    wins += models.at("comet") > models.at("standard");
    text += fmt::format("{}{} {:+.4f}", text.empty() ? "" : ", ", activation,
                        models.at("comet") - models.at("standard"));
  }
  if (total == 0) return f;
  f.measured =
      fmt::format("comet - standard best val_acc: {}; comet ahead in {} of {}", text, wins, total);
  f.verdict = 2 * wins > total ? "agrees" : "disagrees";
  return f;
}

Finding analysis(const results::ResultStore& store, FigureKind kind) {
  Finding f;
  const auto records = store.list_analyses(kind == FigureKind::routing ? "routing" : "utilization");
  if (records.empty()) return f;
  const auto summary = nlohmann::json::parse(records.front().summary_json);  // the newest
  if (kind == FigureKind::utilization) {
    const double units = summary.value("never_active_percent", NAN);
    const double models = summary.value("models_with_never_active_percent", NAN);
    f.measured = fmt::format(
        "{:.2g} % of units never active; {:.2g} % of models have one "
        "(paper: 7.6e-4 % and < 2 %)",
        units, models);
    // Within a factor of 10 of the paper's share of units, and the paper's bound on models.
    f.verdict = units <= 7.6e-3 && models < 2 ? "agrees" : "disagrees";
    return f;
  }
  std::string text;
  bool rising = true, sharper_when_sparser = true;
  double previous_slope = INFINITY;
  for (const auto& level : summary.at("levels")) {
    const double p_k = level.at("p_k");
    if (p_k >= 1) continue;  // all-ones masks: overlap is constant
    const double rho = level.value("overlap_spearman", NAN);
    const double slope = level.value("overlap_slope", NAN);
    rising = rising && rho > 0.5;
    sharper_when_sparser = sharper_when_sparser && slope <= previous_slope;
    previous_slope = slope;
    text += fmt::format("{}p_k {}: spearman {:.3f}, slope {:.3f}", text.empty() ? "" : "; ", p_k,
                        rho, slope);
  }
  f.measured = "mask overlap against input similarity: " + text;
  f.verdict = rising && sharper_when_sparser ? "agrees" : "disagrees";
  return f;
}

Finding measure(const results::ResultStore& store, const PaperFigure& figure,
                const PaperFigureParams& where) {
  if (figure.kind == FigureKind::routing || figure.kind == FigureKind::utilization) {
    return analysis(store, figure.kind);
  }
  const std::string& file = where.scale == "cpu" ? figure.cpu_sweep : figure.full_sweep;
  if (file.empty() || !std::filesystem::exists(where.repo / file)) return {};
  const std::string sweep = sweeps::parse_sweep_file(where.repo / file).name;
  const auto names = store.sweep_names();
  if (std::find(names.begin(), names.end(), sweep) == names.end()) return {};
  try {
    if (figure.figure == "34") return activations(store, sweep);
    if (figure.kind == FigureKind::bars) {
      Finding all;
      for (const auto& panel : figure.panels) {
        const auto f = size_trend(store, sweep, panel.group, panel.metric, panel.where,
                                  panel.suffix.substr(1) + ": ");
        if (f.measured.empty()) continue;
        all.measured += (all.measured.empty() ? "" : "<br>") + f.measured;
        all.verdict =
            all.verdict == "not run" || all.verdict == f.verdict ? f.verdict : "disagrees";
      }
      return all;
    }
    const std::string metric = figure.figure == "33" ? "val_loss" : "val_acc";
    return size_trend(store, sweep, "width", metric, {}, "");
  } catch (const results::QueryError& e) {
    return Finding{std::string("not comparable: ") + e.what(), "not run"};
  }
}

}  // namespace

int paper_report_command(const PaperReportParams& params, std::ostream& out,
                         const std::vector<PaperFigure>& figures) {
  std::optional<results::ResultStore> store;
  if (std::filesystem::exists(params.db)) store = results::ResultStore::open_read_only(params.db);
  PaperFigureParams where;
  where.scale = params.scale;
  where.repo = paper_root(params.repo);
  std::string text = fmt::format(
      "# Reproduction report\n\nWritten by `comet paper report --scale {} --db {}`: per figure, "
      "the paper's claim, what this database measured ({} scale sweeps, docs/commands/paper.md) "
      "and whether it agrees. A verdict is about these runs, at this scale, not the paper's.\n\n"
      "| figure | the paper claims | this database measured | verdict |\n|---|---|---|---|\n",
      params.scale, params.db.filename().string(), params.scale);
  for (const auto& figure : figures) {
    const Finding f = store ? measure(*store, figure, where) : Finding{};
    text += fmt::format(
        "| {} | {} | {} | **{}** |\n", figure.figure, figure.claim,
        f.measured.empty() ? "no done trials (or analysis) in the database" : f.measured,
        f.verdict);
  }
  if (params.output) {
    std::ofstream file(*params.output);
    if (!file) throw UsageError(fmt::format("cannot write {}", params.output->string()));
    file << text;
    out << fmt::format("wrote {}\n", params.output->string());
  } else {
    out << text;
  }
  return kExitOk;
}

}  // namespace comet::cli
