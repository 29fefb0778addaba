// Opening the store and its write paths: each one is a single BEGIN IMMEDIATE transaction.

#include "comet/results/result_store.h"

#include <fmt/format.h>

#include <utility>

#include "result_store_impl.h"
#include "schema.h"
#include "timestamp.h"

namespace comet::results {

void ResultStore::Impl::require_writable() const {
  if (connection.read_only()) {
    throw StoreError(
        fmt::format("results database {} was opened read-only; cannot write", connection.path()));
  }
}

bool ResultStore::Impl::trial_exists(const std::string& trial_id) {
  auto query = statements.prepare("SELECT 1 FROM trials WHERE id = ?1");
  query.bind_text(1, trial_id);
  return query.next_row();
}

ResultStore::ResultStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultStore::ResultStore(ResultStore&&) noexcept = default;
ResultStore& ResultStore::operator=(ResultStore&&) noexcept = default;
ResultStore::~ResultStore() = default;

ResultStore ResultStore::open(const std::filesystem::path& path) {
  const auto folder = path.parent_path();
  if (!folder.empty() && !std::filesystem::is_directory(folder)) {
    throw StoreError(fmt::format("cannot create results database {}: folder {} does not exist",
                                 path.string(), folder.string()));
  }
  auto impl = std::make_unique<Impl>(path, Connection::Mode::read_write_create);
  prepare_for_writing(impl->connection);
  return ResultStore(std::move(impl));
}

ResultStore ResultStore::open_read_only(const std::filesystem::path& path, OlderSchema older) {
  if (!std::filesystem::is_regular_file(path)) {
    throw StoreError(fmt::format("no results database at {}", path.string()));
  }
  auto impl = std::make_unique<Impl>(path, Connection::Mode::read_only);
  try {
    prepare_for_reading(impl->connection);
  } catch (const StoreError&) {
    // A database of an older schema is upgraded in place (the migrations only add), so that
    // `comet ls` or `compare` on last month's results just works; if it cannot be written (a
    // read-only copy), the reader's message stands.
    impl.reset();
    if (older == OlderSchema::refuse || !older_schema(path)) throw;
    try {
      ResultStore::open(path);
    } catch (const StoreError&) {
      auto again = std::make_unique<Impl>(path, Connection::Mode::read_only);
      prepare_for_reading(again->connection);  // throws the reader's message
    }
    impl = std::make_unique<Impl>(path, Connection::Mode::read_only);
    prepare_for_reading(impl->connection);
  }
  return ResultStore(std::move(impl));
}

std::vector<ResultStore::AdoptedTrial> ResultStore::register_sweep(
    const sweeps::SweepSpec& spec, const std::vector<sweeps::TrialSpec>& trials) {
  impl_->require_writable();
  const std::string now = utc_timestamp_now();
  const std::string& path = impl_->connection.path();
  Transaction transaction(impl_->connection, Transaction::Kind::write);

  std::int64_t sweep_id = 0;
  {
    auto upsert = impl_->statements.prepare(
        "INSERT INTO sweeps (name, source_path, source_text, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?4) "
        "ON CONFLICT (name) DO UPDATE SET source_path = excluded.source_path, "
        "source_text = excluded.source_text, updated_at = excluded.updated_at "
        "RETURNING id");
    upsert.bind_text(1, spec.name).bind_text(2, spec.source_path).bind_text(3, spec.source_text);
    upsert.bind_text(4, now);
    if (!upsert.next_row()) {
      throw StoreError(
          fmt::format("results database {}: sweep '{}' was not stored", path, spec.name));
    }
    sweep_id = upsert.read_int(0);
  }
  {
    auto unlink = impl_->statements.prepare("DELETE FROM sweep_trials WHERE sweep_id = ?1");
    unlink.bind_int(1, sweep_id).run();
  }

  std::vector<AdoptedTrial> adopted;
  for (std::size_t position = 0; position < trials.size(); ++position) {
    const sweeps::TrialSpec& trial = trials[position];
    const std::string config_json = trial.config.canonical_json();
    if (!trial.earlier_ids.empty()) {
      const auto stored = impl_->stored_id(trial);
      if (stored && *stored != trial.id) {
        impl_->adopt(*stored, trial, now);
        adopted.push_back({*stored, trial.id});
      }
    }
    {
      auto insert = impl_->statements.prepare(
          "INSERT INTO trials (id, config_json, status, created_at, updated_at) "
          "VALUES (?1, ?2, 'pending', ?3, ?3) ON CONFLICT (id) DO NOTHING");
      insert.bind_text(1, trial.id).bind_text(2, config_json).bind_text(3, now).run();
    }
    if (impl_->connection.changes() == 0) {
      // Known trial: it keeps its status and curve, but its id must still mean this config.
      auto stored = impl_->statements.prepare("SELECT config_json FROM trials WHERE id = ?1");
      stored.bind_text(1, trial.id);
      if (stored.next_row() && stored.read_text(0) != config_json) {
        throw StoreError(
            fmt::format("results database {}: trial {} is recorded with configuration {}, not {}",
                        path, trial.id, stored.read_text(0), config_json));
      }
    }
    auto link = impl_->statements.prepare(
        "INSERT INTO sweep_trials (sweep_id, trial_id, position) VALUES (?1, ?2, ?3)");
    link.bind_int(1, sweep_id).bind_text(2, trial.id);
    link.bind_int(3, static_cast<std::int64_t>(position));
    if (!link.run_unless_duplicate()) {
      throw StoreError(
          fmt::format("sweep '{}' lists trial {} more than once", spec.name, trial.id));
    }
  }
  transaction.commit();
  return adopted;
}

std::optional<TrialStatus> ResultStore::trial_status(const std::string& trial_id) const {
  auto query = impl_->statements.prepare("SELECT status FROM trials WHERE id = ?1");
  query.bind_text(1, trial_id);
  if (!query.next_row()) {
    return std::nullopt;
  }
  return trial_status_from_string(query.read_text(0));
}

std::int64_t ResultStore::start_attempt(const std::string& trial_id, const AttemptInfo& info,
                                        int resume_after_epoch) {
  impl_->require_writable();
  if (resume_after_epoch < 0) {
    throw StoreError(
        fmt::format("trial {}: cannot resume after epoch {}", trial_id, resume_after_epoch));
  }
  const std::string now = utc_timestamp_now();
  Transaction transaction(impl_->connection, Transaction::Kind::write);
  {
    auto mark_running = impl_->statements.prepare(
        "UPDATE trials SET status = 'running', updated_at = ?2 WHERE id = ?1");
    mark_running.bind_text(1, trial_id).bind_text(2, now).run();
  }
  if (impl_->connection.changes() == 0) {
    throw StoreError(fmt::format("no trial {} in {}", trial_id, impl_->connection.path()));
  }

  std::int64_t attempt_id = 0;
  {
    auto insert = impl_->statements.prepare(
        "INSERT INTO attempts (trial_id, host, device, comet_version, torch_version, started_at, "
        "worker_pid, device_name, blas, threads) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
        "RETURNING id");
    insert.bind_text(1, trial_id).bind_text(2, info.host).bind_text(3, info.device);
    insert.bind_text(4, info.comet_version).bind_text(5, info.torch_version).bind_text(6, now);
    if (info.worker_pid > 0) {
      insert.bind_int(7, info.worker_pid);
    } else {
      insert.bind_null(7);
    }
    insert.bind_text(8, info.device_name).bind_text(9, info.blas);
    if (info.threads > 0) {
      insert.bind_int(10, info.threads);
    } else {
      insert.bind_null(10);
    }
    if (!insert.next_row()) {
      impl_->connection.fail("cannot record an attempt in results database");
    }
    attempt_id = insert.read_int(0);
  }
  {
    // An attempt still open belongs to a process that died; the new attempt replaces it.
    auto close_stale = impl_->statements.prepare(
        "UPDATE attempts SET outcome = 'interrupted', error = ?3 "
        "WHERE trial_id = ?1 AND outcome IS NULL AND id <> ?2");
    close_stale.bind_int(2, attempt_id).bind_text(1, trial_id);
    close_stale.bind_text(3, fmt::format("never finished; superseded by attempt {}", attempt_id));
    close_stale.run();
  }
  {
    auto discard =
        impl_->statements.prepare("DELETE FROM metrics WHERE trial_id = ?1 AND epoch > ?2");
    discard.bind_text(1, trial_id).bind_int(2, resume_after_epoch).run();
  }
  transaction.commit();
  return attempt_id;
}

void ResultStore::record_epoch(const std::string& trial_id, const EpochRecord& record) {
  impl_->require_writable();
  if (record.epoch < 1) {
    throw StoreError(fmt::format("trial {}: epoch {} is not a valid epoch (they count from 1)",
                                 trial_id, record.epoch));
  }
  if (record.metrics.empty()) {
    throw StoreError(
        fmt::format("trial {} epoch {}: no metrics to record", trial_id, record.epoch));
  }
  Transaction transaction(impl_->connection, Transaction::Kind::write);
  std::int64_t attempt_id = 0;
  {
    auto running = impl_->statements.prepare(
        "SELECT id FROM attempts WHERE trial_id = ?1 AND outcome IS NULL "
        "ORDER BY id DESC LIMIT 1");
    running.bind_text(1, trial_id);
    if (!running.next_row()) {
      if (!impl_->trial_exists(trial_id)) {
        throw StoreError(fmt::format("no trial {} in {}", trial_id, impl_->connection.path()));
      }
      throw StoreError(fmt::format("trial {} has no running attempt to record epoch {} in",
                                   trial_id, record.epoch));
    }
    attempt_id = running.read_int(0);
  }
  for (const Metric& metric : record.metrics) {
    auto insert = impl_->statements.prepare(
        "INSERT INTO metrics (trial_id, epoch, split, name, value, attempt_id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    insert.bind_text(1, trial_id).bind_int(2, record.epoch).bind_text(3, metric.split);
    insert.bind_text(4, metric.name).bind_real(5, metric.value).bind_int(6, attempt_id);
    if (!insert.run_unless_duplicate()) {
      throw StoreError(fmt::format("trial {} epoch {} already recorded ({}/{})", trial_id,
                                   record.epoch, metric.split, metric.name));
    }
  }
  transaction.commit();
}

void ResultStore::set_trainable_parameters(const std::string& trial_id, std::int64_t count) {
  impl_->require_writable();
  Transaction transaction(impl_->connection, Transaction::Kind::write);
  {
    auto update = impl_->statements.prepare(
        "UPDATE trials SET trainable_parameters = ?2, updated_at = ?3 WHERE id = ?1");
    update.bind_text(1, trial_id).bind_int(2, count).bind_text(3, utc_timestamp_now()).run();
  }
  if (impl_->connection.changes() == 0) {
    throw StoreError(fmt::format("no trial {} in {}", trial_id, impl_->connection.path()));
  }
  transaction.commit();
}

void ResultStore::Impl::end_attempt(std::int64_t attempt_id, std::string_view outcome,
                                    TrialStatus status, const std::string& error,
                                    const std::string& kind) {
  Impl& impl = *this;
  impl.require_writable();
  const std::string now = utc_timestamp_now();
  Transaction transaction(impl.connection, Transaction::Kind::write);
  std::string trial_id;
  {
    auto attempt = impl.statements.prepare("SELECT trial_id, outcome FROM attempts WHERE id = ?1");
    attempt.bind_int(1, attempt_id);
    if (!attempt.next_row()) {
      throw StoreError(fmt::format("no attempt {} in {}", attempt_id, impl.connection.path()));
    }
    if (!attempt.is_null(1)) {
      throw StoreError(fmt::format("attempt {} of trial {} already ended as {}", attempt_id,
                                   attempt.read_text(0), attempt.read_text(1)));
    }
    trial_id = attempt.read_text(0);
  }
  {
    auto end = impl.statements.prepare(
        "UPDATE attempts SET ended_at = ?2, outcome = ?3, error = ?4, kind = ?5 WHERE id = ?1");
    end.bind_int(1, attempt_id).bind_text(2, now).bind_text(3, outcome);
    if (error.empty()) {
      end.bind_null(4);
    } else {
      end.bind_text(4, error);
    }
    if (kind.empty()) {
      end.bind_null(5);
    } else {
      end.bind_text(5, kind);
    }
    end.run();
  }
  {
    auto set_status =
        impl.statements.prepare("UPDATE trials SET status = ?2, updated_at = ?3 WHERE id = ?1");
    set_status.bind_text(1, trial_id).bind_text(2, to_string(status)).bind_text(3, now).run();
  }
  transaction.commit();
}

void ResultStore::finish_attempt(std::int64_t attempt_id, TrialStatus outcome,
                                 const std::string& error, const std::string& kind) {
  if (outcome != TrialStatus::done && outcome != TrialStatus::failed &&
      outcome != TrialStatus::diverged) {
    throw StoreError(fmt::format("attempt {} cannot finish as '{}' (done, failed or diverged)",
                                 attempt_id, to_string(outcome)));
  }
  impl_->end_attempt(attempt_id, to_string(outcome), outcome, error, kind);
}

void ResultStore::interrupt_attempt(std::int64_t attempt_id, const std::string& reason) {
  impl_->end_attempt(attempt_id, "interrupted", TrialStatus::pending, reason, "interrupted");
}

std::int64_t ResultStore::record_analysis(const AnalysisRecord& analysis) {
  impl_->require_writable();
  Transaction transaction(impl_->connection, Transaction::Kind::write);
  std::int64_t id = 0;
  {
    auto insert = impl_->statements.prepare(
        "INSERT INTO analyses (kind, params_json, summary_json, comet_version, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
    insert.bind_text(1, analysis.kind).bind_text(2, analysis.params_json);
    insert.bind_text(3, analysis.summary_json).bind_text(4, analysis.comet_version);
    insert.bind_text(5, utc_timestamp_now());
    if (!insert.next_row()) impl_->connection.fail("cannot record an analysis in results database");
    id = insert.read_int(0);
  }
  for (const auto& point : analysis.points) {
    auto insert = impl_->statements.prepare(
        "INSERT INTO analysis_points (analysis_id, series, x, y) VALUES (?1, ?2, ?3, ?4)");
    insert.bind_int(1, id).bind_text(2, point.series).bind_real(3, point.x).bind_real(4, point.y);
    insert.run();
  }
  transaction.commit();
  return id;
}

}  // namespace comet::results
