#include "schema.h"

#include <fmt/format.h>

#include <cstdint>
#include <string_view>

#include "sqlite_statement.h"

#include "comet/results/store_error.h"

namespace comet::results {
namespace {

// metrics_val_acc serves list_trials' best and final accuracy. It is partial on purpose: an
// index over every (split, name) would touch one leaf page per metric on each epoch's commit.
// metrics.value is NULL for NaN (SQLite stores NaN as NULL anyway; this makes it explicit).
// Attempt outcomes: a trial's final status, or 'interrupted' for an attempt stopped by Ctrl-C or
// left open by a process that died and superseded by a new attempt. kind says why an attempt
// failed: exception, diverged, out_of_memory, killed (its worker process died), interrupted.
constexpr std::string_view kCreateTables = R"sql(
CREATE TABLE sweeps (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  source_path TEXT,
  source_text TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE trials (
  id TEXT PRIMARY KEY,
  config_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'diverged')),
  trainable_parameters INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE sweep_trials (
  sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  trial_id TEXT NOT NULL REFERENCES trials(id),
  position INTEGER NOT NULL,
  PRIMARY KEY (sweep_id, trial_id)
);
CREATE UNIQUE INDEX sweep_trials_by_position ON sweep_trials(sweep_id, position);
CREATE INDEX sweep_trials_by_trial ON sweep_trials(trial_id);
CREATE TABLE attempts (
  id INTEGER PRIMARY KEY,
  trial_id TEXT NOT NULL REFERENCES trials(id),
  host TEXT,
  device TEXT,
  comet_version TEXT,
  torch_version TEXT,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  outcome TEXT CHECK (outcome IN ('done', 'failed', 'diverged', 'interrupted')),
  error TEXT,
  kind TEXT,
  worker_pid INTEGER,
  device_name TEXT,
  blas TEXT,
  threads INTEGER
);
CREATE INDEX attempts_by_trial ON attempts(trial_id, id);
CREATE TABLE metrics (
  trial_id TEXT NOT NULL REFERENCES trials(id),
  epoch INTEGER NOT NULL CHECK (epoch >= 1),
  split TEXT NOT NULL,
  name TEXT NOT NULL,
  value REAL,
  attempt_id INTEGER NOT NULL REFERENCES attempts(id),
  PRIMARY KEY (trial_id, epoch, split, name)
) WITHOUT ROWID;
CREATE INDEX metrics_val_acc ON metrics(trial_id, epoch, value) WHERE split = 'val' AND name = 'acc';
CREATE INDEX metrics_by_name ON metrics(split, name);
)sql"
                                           R"sql(
CREATE TABLE analyses (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  params_json TEXT NOT NULL,
  summary_json TEXT NOT NULL,
  comet_version TEXT,
  created_at TEXT NOT NULL
);
CREATE TABLE analysis_points (
  analysis_id INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
  series TEXT NOT NULL,
  x REAL,
  y REAL
);
CREATE INDEX analysis_points_by_analysis ON analysis_points(analysis_id, series);
)sql";

// Each step upgrades a database of version N to N + 1, in the transaction that opens it.
constexpr std::string_view kMigrations[] = {
    // 1 -> 2: why an attempt failed and which worker process ran it.
    "ALTER TABLE attempts ADD COLUMN kind TEXT;"
    "ALTER TABLE attempts ADD COLUMN worker_pid INTEGER;",
    // 2 -> 3: the environment of an attempt; the section 4.1 analyses (comet analyze); an index
    // for per-metric queries of a sweep (comet compare, plot).
    "ALTER TABLE attempts ADD COLUMN device_name TEXT;"
    "ALTER TABLE attempts ADD COLUMN blas TEXT;"
    "ALTER TABLE attempts ADD COLUMN threads INTEGER;"
    "CREATE INDEX metrics_by_name ON metrics(split, name);"
    "CREATE TABLE analyses (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
    "params_json TEXT NOT NULL, summary_json TEXT NOT NULL, comet_version TEXT, "
    "created_at TEXT NOT NULL);"
    "CREATE TABLE analysis_points (analysis_id INTEGER NOT NULL REFERENCES analyses(id) "
    "ON DELETE CASCADE, series TEXT NOT NULL, x REAL, y REAL);"
    "CREATE INDEX analysis_points_by_analysis ON analysis_points(analysis_id, series);",
};
static_assert(std::size(kMigrations) == kSchemaVersion - 1, "one migration per version step");

std::int64_t query_int(Connection& connection, std::string_view sql) {
  StatementCache once(connection);
  auto statement = once.prepare(sql);
  if (!statement.next_row()) {
    throw StoreError(
        fmt::format("results database {}: '{}' returned no row", connection.path(), sql));
  }
  return statement.read_int(0);
}

std::string query_text(Connection& connection, std::string_view sql) {
  StatementCache once(connection);
  auto statement = once.prepare(sql);
  return statement.next_row() ? statement.read_text(0) : std::string();
}

// The first read of the file: a file that is not a database fails here, with SQLite's "file is
// not a database".
void check_is_database(Connection& connection) {
  connection.execute("SELECT count(*) FROM sqlite_schema", "cannot open results database");
}

std::int64_t schema_version(Connection& connection) {
  return query_int(connection, "PRAGMA user_version");
}

void refuse_newer(const Connection& connection, std::int64_t version) {
  if (version > kSchemaVersion) {
    throw StoreError(
        fmt::format("database {} has schema version {}; this comet understands up to {}",
                    connection.path(), version, kSchemaVersion));
  }
}

}  // namespace

void prepare_for_writing(Connection& connection) {
  check_is_database(connection);
  connection.execute("PRAGMA foreign_keys = ON");
  refuse_newer(connection, schema_version(connection));

  // WAL: readers never block the writer and the writer never blocks readers. With WAL,
  // synchronous=NORMAL loses no committed transaction when the process crashes (only on power
  // loss may the last commits roll back), at a fraction of FULL's fsyncs.
  const std::string journal_mode = query_text(connection, "PRAGMA journal_mode = WAL");
  if (journal_mode != "wal") {
    throw StoreError(fmt::format(
        "cannot use results database {}: its file system does not support WAL (journal mode {})",
        connection.path(), journal_mode));
  }
  connection.execute("PRAGMA synchronous = NORMAL");

  Transaction transaction(connection, Transaction::Kind::write);
  // Read again under the write lock: another process may have created the schema meanwhile.
  const std::int64_t version = schema_version(connection);
  refuse_newer(connection, version);
  if (version == 0) {
    if (query_int(connection, "SELECT count(*) FROM sqlite_schema") != 0) {
      throw StoreError(fmt::format(
          "database {} is not a comet results database (it has tables but no comet schema)",
          connection.path()));
    }
    connection.execute(kCreateTables);
    connection.execute(fmt::format("PRAGMA user_version = {}", kSchemaVersion));
  } else if (version < kSchemaVersion) {
    for (auto step = version; step < kSchemaVersion; ++step) {
      connection.execute(kMigrations[step - 1], "cannot upgrade results database");
    }
    connection.execute(fmt::format("PRAGMA user_version = {}", kSchemaVersion));
  }
  transaction.commit();
}

bool older_schema(const std::filesystem::path& path) {
  Connection connection(path, Connection::Mode::read_only);
  check_is_database(connection);
  const auto version = schema_version(connection);
  return version >= 1 && version < kSchemaVersion;
}

void prepare_for_reading(Connection& connection) {
  check_is_database(connection);
  connection.execute("PRAGMA foreign_keys = ON");
  const std::int64_t version = schema_version(connection);
  refuse_newer(connection, version);
  if (version == 0) {
    // An empty file is what `comet run` has created but not yet given its schema (for a few
    // milliseconds), or what a failed first run left behind.
    if (query_int(connection, "SELECT count(*) FROM sqlite_schema") == 0) {
      throw StoreError(
          fmt::format("results database {} is empty: no sweep has been registered in it yet",
                      connection.path()));
    }
    throw StoreError(fmt::format("database {} is not a comet results database (no comet schema)",
                                 connection.path()));
  }
  if (version < kSchemaVersion) {
    throw StoreError(fmt::format(
        "database {} has schema version {}; open it for writing once (e.g. comet run) to upgrade",
        connection.path(), version));
  }
}

}  // namespace comet::results
