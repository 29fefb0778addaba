#pragma once
// The SQLite store of sweeps, trials, attempts and per-epoch metrics. One writer (the process
// running a sweep); readers never block it (WAL). Every write is one transaction.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "comet/results/store_error.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::results {

enum class TrialStatus { pending, running, done, failed, diverged };
std::string_view to_string(TrialStatus status);
TrialStatus trial_status_from_string(std::string_view text);  // throws StoreError

// One metric value of one epoch. split: "train", "val", "test" or "epoch" (for wall seconds).
struct Metric {
  std::string split;
  std::string name;  // "loss", "acc", "seconds", ...
  double value = 0;
};

struct EpochRecord {
  int epoch = 0;  // 1-based
  std::vector<Metric> metrics;
};

struct AttemptInfo {
  std::string host;
  std::string device;         // "cpu", "cuda:0"
  std::string comet_version;  // "0.1.0 (abc123def456)"
  std::string torch_version;
  std::int64_t worker_pid = 0;  // the process that trains it (0: not recorded)
  // The environment (schema 3): "NVIDIA H100 80GB HBM3", "AMD EPYC 7B13"; the BLAS library and
  // its threads ("openblas-pthread, 2 threads"); torch's intra-op threads. "" / 0: unknown.
  std::string device_name = "";
  std::string blas = "";
  int threads = 0;
};

// One attempt at a trial, as recorded (`comet status`, tests).
struct AttemptRow {
  std::int64_t id = 0;
  std::string host, device;
  std::string started_at, ended_at;  // UTC ISO 8601; ended_at "" while it runs
  std::string outcome;               // "" while running; done, failed, diverged, interrupted
  std::string kind;  // why it failed: exception, diverged, out_of_memory, killed, interrupted
  std::string error;
  std::int64_t worker_pid = 0;
  std::string device_name = "", blas = "";
  int threads = 0;
};

// A result of `comet analyze` (the paper's section 4.1): what was computed with which
// parameters, its summary numbers, and the points of its figure as (series, x, y).
struct AnalysisPoint {
  std::string series;
  double x = 0, y = 0;
};

struct AnalysisRecord {
  std::int64_t id = 0;        // set by the store
  std::string kind;           // "routing", "utilization"
  std::string params_json;    // the sizes and seeds it ran with
  std::string summary_json;   // e.g. rank correlation per p_k, never-active share
  std::string comet_version;  //
  std::string created_at;     // set by the store (UTC ISO 8601)
  std::vector<AnalysisPoint> points;
};

struct TrialRow {
  std::string id;
  std::vector<std::string> sweeps;  // names of the sweeps this trial belongs to
  sweeps::TrialConfig config;
  TrialStatus status = TrialStatus::pending;
  int epochs_done = 0;                 // highest epoch with metrics
  std::optional<double> best_val_acc;  // max of val/acc over epochs
  std::optional<double> final_val_acc;
  std::optional<std::int64_t> trainable_parameters;
  std::string last_error;  // of the latest failed attempt, "" otherwise
};

struct SweepRow {
  std::string name;
  std::string source_path;
  std::string created_at, updated_at;  // UTC ISO 8601
  int trials = 0, pending = 0, running = 0, done = 0, failed = 0, diverged = 0;
};

struct MetricPoint {
  int epoch = 0;
  std::string split;
  std::string name;
  double value = 0;
};

class ResultStore {
 public:
  // Opens or creates the database (parent folder must exist), applies the schema, enables
  // WAL and foreign keys. Throws StoreError naming the path on any failure.
  static ResultStore open(const std::filesystem::path& path);
  // Opens an existing database for reading only; throws StoreError if it does not exist.
  // A database of an older schema is upgraded in place first (OlderSchema::upgrade, what the
  // CLI readers do), or refused with the reader's message (OlderSchema::refuse: `comet serve`,
  // which never writes).
  enum class OlderSchema { upgrade, refuse };
  static ResultStore open_read_only(const std::filesystem::path& path,
                                    OlderSchema older = OlderSchema::upgrade);

  ResultStore(ResultStore&&) noexcept;
  ResultStore& operator=(ResultStore&&) noexcept;
  ~ResultStore();

  // A trial that register_sweep found under one of its earlier ids and moved to its id.
  struct AdoptedTrial {
    std::string earlier_id, id;
  };
  // Registers (or re-registers, replacing its trial list) the sweep and inserts trials not yet
  // known as pending. Trials already known keep their status and curves. A trial stored only
  // under one of its earlier_ids (a database of a comet that did not fold ignored keys) is
  // moved to its id with its status, attempts and curves first (stored_id says which earlier
  // id); the moves are returned, for the caller to rename the trial's files.
  std::vector<AdoptedTrial> register_sweep(const sweeps::SweepSpec& spec,
                                           const std::vector<sweeps::TrialSpec>& trials);
  // The id this database stores `trial` under: its id, else the first of its earlier_ids held
  // by a done trial, else the first held at all; nullopt when none is. Reads only.
  std::optional<std::string> stored_id(const sweeps::TrialSpec& trial) const;

  std::optional<TrialStatus> trial_status(const std::string& trial_id) const;

  // Marks the trial running and records a new attempt; deletes the trial's metrics of epochs
  // after `resume_after_epoch` (a fresh start passes 0), all in one transaction.
  std::int64_t start_attempt(const std::string& trial_id, const AttemptInfo& info,
                             int resume_after_epoch = 0);
  // One epoch's metrics, in one transaction. An epoch recorded twice is an error (StoreError).
  void record_epoch(const std::string& trial_id, const EpochRecord& record);
  void set_trainable_parameters(const std::string& trial_id, std::int64_t count);
  // Ends the attempt and sets the trial's status (done, failed or diverged) with the error text
  // and the failure's kind (exception, diverged, out_of_memory, killed; "" for done).
  void finish_attempt(std::int64_t attempt_id, TrialStatus outcome, const std::string& error = "",
                      const std::string& kind = "");
  // Ends the attempt as 'interrupted' (Ctrl-C) and puts the trial back to pending: its stored
  // epochs stay and its next run resumes from its checkpoint.
  void interrupt_attempt(std::int64_t attempt_id, const std::string& reason);

  // Trials of one sweep (in the sweep's order) or of all sweeps (sweep == nullopt).
  std::vector<TrialRow> list_trials(const std::optional<std::string>& sweep = std::nullopt) const;
  // The trials whose id starts with `prefix` (all of them for ""), by id.
  std::vector<TrialRow> trials_with_id_prefix(const std::string& prefix) const;
  std::vector<MetricPoint> curve(const std::string& trial_id) const;  // ordered by epoch
  // The largest E such that every epoch 1..E of the trial has metrics (0 if epoch 1 has none):
  // a checkpoint after epoch E or earlier can be resumed without a hole in the curve.
  int stored_epoch_prefix(const std::string& trial_id) const;
  std::vector<AttemptRow> attempts(const std::string& trial_id) const;  // oldest first

  // Stores an analysis with all its points in one transaction; returns its id.
  std::int64_t record_analysis(const AnalysisRecord& analysis);
  // Analyses (of one kind, or all), newest first, without their points.
  std::vector<AnalysisRecord> list_analyses(const std::optional<std::string>& kind = {}) const;
  AnalysisRecord analysis(std::int64_t id) const;  // with its points; StoreError if none
  // SQLite's PRAGMA data_version: the same number until another connection commits a change
  // (comet serve keeps results while it stays the same).
  std::int64_t data_version() const;
  std::vector<std::string> sweep_names() const;
  std::vector<SweepRow> list_sweeps() const;  // by name, with trial counts by status
  // One metric (split, name) of every trial of a sweep: trial id -> (epoch, value) by epoch;
  // NaN where the value is NULL. Throws StoreError for an unknown sweep.
  std::map<std::string, std::vector<std::pair<int, double>>> metric_series(
      const std::string& sweep, const std::string& split, const std::string& name) const;
  // The same for the given trials only (a page of a sweep's table): one index lookup per
  // trial instead of the whole sweep. Trials without the metric are left out.
  std::map<std::string, std::vector<std::pair<int, double>>> metric_series_of(
      const std::vector<std::string>& trial_ids, const std::string& split,
      const std::string& name) const;
  // Every (split, name) the database holds, sorted: the metrics a curve can show.
  std::vector<std::pair<std::string, std::string>> metric_names() const;

 private:
  struct Impl;
  explicit ResultStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace comet::results
