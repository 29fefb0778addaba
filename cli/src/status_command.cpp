// comet status: what a sweep's trials are doing, read from the database (readers never block
// the writer, so this works while `comet run` is going on in another terminal).

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <sstream>

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/cli/usage_error.h"
#include "comet/results/result_store.h"

namespace comet::cli {
namespace {

using results::TrialStatus;

std::string duration_text(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

// Remaining epochs times the trial's own mean epoch time; empty before its first epoch.
Cell eta_of(const results::ResultStore& store, const results::TrialRow& row) {
  double total = 0;
  int epochs = 0;
  for (const auto& point : store.curve(row.id)) {
    if (point.split == "epoch" && point.name == "seconds") {
      total += point.value;
      ++epochs;
    }
  }
  if (epochs == 0) return std::monostate{};
  const auto remaining = std::max<std::int64_t>(0, row.config.integer("epochs") - row.epochs_done);
  return duration_text(total / epochs * static_cast<double>(remaining));
}

Cell text_of(const sweeps::TrialConfig& config, const std::string& key) {
  if (!config.has(key)) return std::monostate{};
  return sweeps::to_display(config.at(key));
}

}  // namespace

int status_command(const StatusParams& params, std::ostream& out) {
  auto store = results::ResultStore::open_read_only(params.db);
  std::vector<std::string> sweeps = store.sweep_names();
  if (params.sweep) {
    if (std::find(sweeps.begin(), sweeps.end(), *params.sweep) == sweeps.end()) {
      std::string known;
      for (const auto& s : sweeps) known += (known.empty() ? "" : ", ") + s;
      throw UsageError("no sweep '" + *params.sweep + "' in " + params.db.string() +
                       "; known sweeps: " + (known.empty() ? "none" : known));
    }
    sweeps = {*params.sweep};
  }

  Table counts;
  counts.columns = {{"sweep"}, {"trials"}, {"pending"}, {"running"},
                    {"done"},  {"failed"}, {"diverged"}};
  Table attention;  // the trials a person wants to look at: running, failed, diverged
  attention.columns = {{"id"},     {"sweep"},  {"model"},      {"width"}, {"p_k"},  {"seed"},
                       {"status"}, {"epochs"}, {"val_acc", 4}, {"ETA"},   {"error"}};
  for (const auto& sweep : sweeps) {
    std::map<TrialStatus, std::int64_t> by_status;
    const auto rows = store.list_trials(sweep);
    for (const auto& row : rows) {
      ++by_status[row.status];
      if (row.status == TrialStatus::done || row.status == TrialStatus::pending) continue;
      const bool running = row.status == TrialStatus::running;
      attention.rows.push_back({row.id, sweep, text_of(row.config, "model"),
                                text_of(row.config, "width"), text_of(row.config, "p_k"),
                                text_of(row.config, "seed"),
                                std::string(results::to_string(row.status)),
                                fmt::format("{}/{}", row.epochs_done, row.config.integer("epochs")),
                                row.final_val_acc ? Cell(*row.final_val_acc) : Cell{},
                                running ? eta_of(store, row) : Cell{},
                                row.last_error.empty() ? Cell{} : Cell(row.last_error)});
    }
    counts.rows.push_back({sweep, static_cast<std::int64_t>(rows.size()),
                           by_status[TrialStatus::pending], by_status[TrialStatus::running],
                           by_status[TrialStatus::done], by_status[TrialStatus::failed],
                           by_status[TrialStatus::diverged]});
  }

  if (params.format == OutputFormat::json) {
    std::ostringstream a, b;
    print_table(counts, OutputFormat::json, a);
    print_table(attention, OutputFormat::json, b);
    out << "{\"sweeps\": " << a.str() << ", \"trials\": " << b.str() << "}\n";
    return kExitOk;
  }
  print_table(counts, params.format, out);
  if (!attention.rows.empty()) {
    out << "\n";
    print_table(attention, params.format, out);
  }
  return kExitOk;
}

}  // namespace comet::cli
