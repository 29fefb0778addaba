#include "serve_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "query_tables.h"
#include "serve_trial_files.h"

#include "comet/cli/usage_error.h"
#include "comet/results/comparison.h"
#include "comet/results/figures.h"
#include "comet/results/result_store.h"
#include "comet/results/trial_selection.h"
#include "comet/sweeps/param_value.h"

namespace comet::cli {
namespace {

using Json = nlohmann::ordered_json;
using results::ResultStore;

std::string json_of(const Table& table) {
  std::ostringstream out;
  print_table(table, OutputFormat::json, out);
  return out.str();
}

Json number_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

std::vector<std::string> path_parts(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    const auto slash = std::min(path.find('/', start), path.size());
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

void require_sweep(const ResultStore& store, const std::string& sweep) {
  const auto names = store.sweep_names();
  if (std::find(names.begin(), names.end(), sweep) == names.end()) {
    throw ApiError(404, fmt::format("no sweep '{}' in the database", sweep));
  }
}

// The selection parameters the trials table and its curves share.
results::TrialSelection selection_of(const QueryParams& q, std::size_t max_limit) {
  results::TrialSelection s;
  s.where = q.all("where");
  if (const auto status = q.text("status"); status && !status->empty()) {
    s.status = results::trial_status_from_string(
        q.choice("status", "", {"pending", "running", "done", "failed", "diverged"}));
  }
  s.sort = q.key("sort", "", true);
  s.descending = q.choice("order", "asc", {"asc", "desc"}) == "desc";
  s.offset = q.number("offset", 0, 0, 10'000'000);
  s.limit = q.number("limit", 100, 1, max_limit);
  return s;
}

// The config keys whose value differs between the sweep's trials (seed included): the
// columns worth showing and the axes a comparison can use.
std::vector<std::string> varying_keys(const std::vector<results::TrialRow>& trials) {
  std::map<std::string, std::set<std::string>> values;
  for (const auto& t : trials) {
    for (const auto& [key, value] : t.config.values())
      values[key].insert(sweeps::to_display(value));
  }
  std::vector<std::string> keys;
  for (const auto& [key, seen] : values) {
    if (seen.size() > 1) keys.push_back(key);
  }
  return keys;
}

std::string sweep_trials(const std::vector<results::TrialRow>& all, const std::string& sweep,
                         const QueryParams& q) {
  const auto keys = varying_keys(all);
  const auto page = results::select_trials(all, selection_of(q, 1000));
  Json head;
  head["sweep"] = sweep;
  head["total"] = page.total;
  head["varying"] = keys;
  std::string body = head.dump();
  body.pop_back();  // the page's rows, printed as `comet export --format json` prints them
  return body + ", \"trials\": " + json_of(trials_table(page.trials)) + "}";
}

// (split, name) of a "<split>_<name>" metric the database holds; 400 naming them otherwise.
std::pair<std::string, std::string> known_metric(const ResultStore& store,
                                                 const std::string& metric) {
  std::string names;
  for (const auto& [split, name] : store.metric_names()) {
    if (split + "_" + name == metric) return {split, name};
    names += (names.empty() ? "" : ", ") + split + "_" + name;
  }
  throw ApiError(400, fmt::format("unknown metric '{}'; the database has: {}", metric,
                                  names.empty() ? "none" : names));
}

std::string sweep_curves(const ResultStore& store, const std::vector<results::TrialRow>& all,
                         const std::string& sweep, const QueryParams& q) {
  const auto metric = q.key("metric", "val_acc", false);
  const auto [split, name] = known_metric(store, metric);
  const bool by_time = q.choice("x", "epoch", {"epoch", "seconds"}) == "seconds";
  const auto page = results::select_trials(all, selection_of(q, 1000));
  std::vector<std::string> ids;
  for (const auto& t : page.trials) ids.push_back(t.id);
  const auto series = store.metric_series_of(ids, split, name);
  const auto seconds =
      by_time ? store.metric_series_of(ids, "epoch", "seconds") : results::MetricSeries{};
  Json j;
  j["sweep"] = sweep;
  j["metric"] = metric;
  j["x"] = by_time ? "seconds" : "epoch";
  j["total"] = page.total;
  j["curves"] = Json::array();
  for (const auto& id : ids) {
    const auto found = series.find(id);
    if (found == series.end()) continue;
    // Wall time at the end of each epoch: the running sum of the epochs' seconds.
    std::map<int, double> elapsed;
    if (const auto s = seconds.find(id); s != seconds.end()) {
      double sum = 0;
      for (const auto& [epoch, v] : s->second) elapsed[epoch] = sum += std::isfinite(v) ? v : 0;
    }
    Json curve;
    curve["trial"] = id;
    curve["epoch"] = Json::array();
    curve["value"] = Json::array();
    if (by_time) curve["seconds"] = Json::array();
    for (const auto& [epoch, value] : found->second) {
      curve["epoch"].push_back(epoch);
      curve["value"].push_back(number_or_null(value));
      if (by_time) {
        const auto e = elapsed.find(epoch);
        curve["seconds"].push_back(e == elapsed.end() ? Json(nullptr) : Json(e->second));
      }
    }
    j["curves"].push_back(std::move(curve));
  }
  return j.dump();
}

std::string sweep_compare(const ResultStore& store, const std::string& sweep,
                          const QueryParams& q) {
  CompareParams p;
  p.sweep = sweep;
  p.rows = q.key("rows", p.rows, true);
  p.cols = q.key("cols", p.cols, true);
  p.by = q.key("by", p.by, true);
  p.metric = q.key("metric", p.metric, false);
  p.agg = q.choice("agg", p.agg, {"best", "final", "auc"});
  p.where = q.all("where");
  // Exactly what `comet compare --format json` prints.
  return json_of(comparison_rows(compare_sweep(store, p), p));
}

std::string sweep_grid(const ResultStore& store, const std::string& sweep, const QueryParams& q) {
  results::GridFigureRequest r;
  r.sweep = sweep;
  r.metric = q.key("metric", "val_acc", false);
  r.rows = q.key("rows", "width", false);
  r.cols = q.key("cols", "p_k", false);
  r.by = q.key("by", "model", false);
  const auto grid = results::grid_bands(store, r);
  Json j;
  j["sweep"] = sweep;
  j["metric"] = r.metric;
  j["rows"] = r.rows;
  j["cols"] = r.cols;
  j["by"] = r.by;
  j["row_values"] = grid.row_values;
  j["col_values"] = grid.col_values;
  j["series"] = grid.series;
  j["last_epoch"] = grid.last_epoch;
  j["cells"] = Json::array();
  for (const auto& cell : grid.cells) {
    Json c;
    c["row"] = cell.row;
    c["col"] = cell.col;
    c["bands"] = Json::array();
    for (const auto& band : cell.bands) {
      Json b;
      b["series"] = band.series;
      b["trials"] = band.trials;
      for (const char* field : {"epoch", "min", "max", "mid"}) b[field] = Json::array();
      for (const auto& p : band.points) {
        b["epoch"].push_back(p.epoch);
        b["min"].push_back(p.min);
        b["max"].push_back(p.max);
        b["mid"].push_back(p.mid);
      }
      c["bands"].push_back(std::move(b));
    }
    j["cells"].push_back(std::move(c));
  }
  return j.dump();
}

std::string trial_curves(const ResultStore& store, const results::TrialRow& trial) {
  std::map<std::pair<std::string, std::string>, Json> by_metric;
  for (const auto& p : store.curve(trial.id)) {  // ordered by epoch
    auto& curve = by_metric[{p.split, p.name}];
    if (curve.is_null()) {
      curve["metric"] = p.split + "_" + p.name;
      curve["split"] = p.split;
      curve["name"] = p.name;
      curve["epoch"] = Json::array();
      curve["value"] = Json::array();
    }
    curve["epoch"].push_back(p.epoch);
    curve["value"].push_back(number_or_null(p.value));
  }
  Json j;
  j["trial"] = trial.id;
  j["status"] = results::to_string(trial.status);
  j["epochs"] = trial.epochs_done;
  j["curves"] = Json::array();
  for (auto& [key, curve] : by_metric) j["curves"].push_back(std::move(curve));
  return j.dump();
}

std::string route(const std::filesystem::path& db, TrialListCache& cache,
                  const ApiRequest& request) {
  const auto parts = path_parts(request.path);  // "api", ...
  if (parts.size() == 2 && parts[1] == "sweeps") {
    QueryParams q(request.params, {});
    return json_of(sweeps_table(ResultStore::open_read_only(db, ResultStore::OlderSchema::refuse)));
  }
  if (parts.size() == 2 && parts[1] == "metrics") {
    QueryParams q(request.params, {});
    Json j = Json::array();
    const auto store = ResultStore::open_read_only(db, ResultStore::OlderSchema::refuse);
    for (const auto& [split, name] : store.metric_names()) {
      j.push_back({{"metric", split + "_" + name}, {"split", split}, {"name", name}});
    }
    return j.dump();
  }
  if (parts.size() == 4 && parts[1] == "sweeps") {
    const std::string& sweep = parts[2];
    if (!is_sweep_name(sweep)) throw ApiError(400, "not a sweep name; see docs/serve.md");
    const std::string& what = parts[3];
    std::optional<QueryParams> q;
    if (what == "trials") {
      q.emplace(request.params,
                std::initializer_list<std::string_view>{"where", "status", "sort", "order",
                                                        "offset", "limit"},
                std::initializer_list<std::string_view>{"where"});
    }
    if (what == "curves") {
      q.emplace(request.params,
                std::initializer_list<std::string_view>{"where", "status", "sort", "order",
                                                        "offset", "limit", "metric", "x"},
                std::initializer_list<std::string_view>{"where"});
    }
    if (what == "compare") {
      q.emplace(
          request.params,
          std::initializer_list<std::string_view>{"rows", "cols", "by", "metric", "agg", "where"},
          std::initializer_list<std::string_view>{"where"});
    }
    if (what == "grid") {
      q.emplace(request.params,
                std::initializer_list<std::string_view>{"rows", "cols", "by", "metric"},
                std::initializer_list<std::string_view>{});
    }
    if (!q) throw ApiError(404, fmt::format("no API path {}; see docs/serve.md", request.path));
    const auto store = ResultStore::open_read_only(db, ResultStore::OlderSchema::refuse);
    require_sweep(store, sweep);
    if (what == "trials") return sweep_trials(*cache.trials(store, db, sweep), sweep, *q);
    if (what == "curves") {
      return sweep_curves(store, *cache.trials(store, db, sweep), sweep, *q);
    }
    if (what == "compare") return sweep_compare(store, sweep, *q);
    return sweep_grid(store, sweep, *q);
  }
  if ((parts.size() == 3 || (parts.size() == 4 && parts[3] == "curves")) && parts[1] == "trials") {
    QueryParams q(request.params, {});
    if (!is_trial_prefix(parts[2])) {
      throw ApiError(400, "a trial is named by its id or a prefix of it: 1 to 16 hex digits");
    }
    const auto store = ResultStore::open_read_only(db, ResultStore::OlderSchema::refuse);
    const auto trial = find_trial(store, parts[2]);
    if (parts.size() == 4) return trial_curves(store, trial);
    Json j = trial_json(store, trial);  // `comet show --format json`, then the run folder's files
    j["checkpoint"] = checkpoint_json(db, trial.id, store.stored_epoch_prefix(trial.id));
    j["log_tail"] = log_tail(db, trial.id);
    return j.dump();
  }
  throw ApiError(404, fmt::format("no API path {}; see docs/serve.md", request.path));
}

ApiResponse error_response(int status, const std::string& message) {
  // A message may quote a parameter that is not UTF-8: such bytes become U+FFFD, not a throw.
  return {status, Json{{"error", message}, {"status", status}}.dump(
                      -1, ' ', false, Json::error_handler_t::replace)};
}

}  // namespace

ApiResponse ServeApi::handle(const ApiRequest& request) const {
  try {
    return {200, route(db_, *trials_, request)};
  } catch (const ApiError& e) {
    return error_response(e.status(), e.what());
  } catch (const UsageError& e) {
    // find_trial's "no trial" and "the start of N ids" are about what exists, not the syntax.
    const bool missing = std::string_view(e.what()).starts_with("no trial");
    return error_response(missing ? 404 : 400, e.what());
  } catch (const results::QueryError& e) {
    return error_response(400, e.what());
  } catch (const results::FigureError& e) {
    return error_response(400, e.what());
  } catch (const results::StoreError& e) {
    return error_response(503, std::string("storage error: ") + e.what());
  } catch (const std::exception& e) {
    return error_response(500, std::string("internal error: ") + e.what());
  }
}

}  // namespace comet::cli
