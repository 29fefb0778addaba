#pragma once
// What a results database holds, to assert that a command left it exactly as it was: the bytes
// of the file, the row count of every table, and PRAGMA integrity_check.

#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include "file_text.h"

namespace comet::testing {

struct DbFingerprint {
  bool exists = false;
  std::string bytes;                      // the main file (read before SQLite opens it)
  std::map<std::string, long long> rows;  // table -> count(*)
  std::string integrity;                  // "ok" for a sound file

  friend bool operator==(const DbFingerprint&, const DbFingerprint&) = default;
};

namespace db_fingerprint_detail {

inline std::string single_text(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    throw std::runtime_error(sqlite3_errmsg(db));
  }
  std::string text;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    const auto* value = sqlite3_column_text(statement, 0);
    text = value != nullptr ? reinterpret_cast<const char*>(value) : "NULL";
  }
  sqlite3_finalize(statement);
  return text;
}

}  // namespace db_fingerprint_detail

inline DbFingerprint db_fingerprint(const std::filesystem::path& path) {
  DbFingerprint print;
  print.exists = std::filesystem::exists(path);
  if (!print.exists) return print;
  print.bytes = slurp(path);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path.string());
  }
  sqlite3_stmt* tables = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1,
                     &tables, nullptr);
  while (sqlite3_step(tables) == SQLITE_ROW) {
    const std::string table = reinterpret_cast<const char*>(sqlite3_column_text(tables, 0));
    print.rows[table] = std::stoll(
        db_fingerprint_detail::single_text(db, "SELECT count(*) FROM \"" + table + "\""));
  }
  sqlite3_finalize(tables);
  print.integrity = db_fingerprint_detail::single_text(db, "PRAGMA integrity_check");
  sqlite3_close(db);
  return print;
}

}  // namespace comet::testing
