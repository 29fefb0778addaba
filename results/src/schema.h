#pragma once
// The results database schema and the connection settings every comet connection uses.

#include <filesystem>

#include "sqlite_connection.h"

namespace comet::results {

// Stored in PRAGMA user_version (0 = a fresh file without comet tables). Bump it with every
// schema change and teach prepare_for_writing to migrate from the previous version.
// 2: attempts.kind, worker_pid; 3: attempts' environment, analyses.
inline constexpr int kSchemaVersion = 3;

// WAL, foreign keys, synchronous=NORMAL; creates the tables on a fresh file. Refuses files of a
// newer schema version and SQLite files that hold other tables. Throws StoreError.
void prepare_for_writing(Connection& connection);
// Foreign keys on; refuses files without comet tables or of another schema version.
void prepare_for_reading(Connection& connection);
// True for a comet database of an earlier schema version (one prepare_for_writing upgrades).
bool older_schema(const std::filesystem::path& path);

}  // namespace comet::results
