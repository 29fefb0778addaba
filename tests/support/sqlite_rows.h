#pragma once
// The rows of one query on a database file, read behind the store's back (a plain read-only
// sqlite3 connection), for assertions on what a command left in the file.

#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace comet::testing {

// Every row of `sql` on an open connection, columns as text ("NULL" for NULL). Throws
// std::runtime_error with SQLite's message.
inline std::vector<std::vector<std::string>> statement_rows(sqlite3* handle,
                                                            const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    throw std::runtime_error(sql + ": " + sqlite3_errmsg(handle));
  }
  std::vector<std::vector<std::string>> rows;
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int column = 0; column < sqlite3_column_count(statement); ++column) {
      const auto* text = sqlite3_column_text(statement, column);
      row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "NULL");
    }
    rows.push_back(std::move(row));
  }
  const std::string message = sqlite3_errmsg(handle);
  sqlite3_finalize(statement);
  if (rc != SQLITE_DONE) throw std::runtime_error(sql + ": " + message);
  return rows;
}

// The same on a database file, through its own read-only connection.
inline std::vector<std::vector<std::string>> sqlite_rows(const std::filesystem::path& db,
                                                         const std::string& sql) {
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close_v2(handle);
    throw std::runtime_error("cannot open " + db.string());
  }
  sqlite3_busy_timeout(handle, 5000);
  try {
    auto rows = statement_rows(handle, sql);
    sqlite3_close_v2(handle);
    return rows;
  } catch (...) {
    sqlite3_close_v2(handle);
    throw;
  }
}

// The single value of a one-row, one-column query.
inline std::string sqlite_value(const std::filesystem::path& db, const std::string& sql) {
  const auto rows = sqlite_rows(db, sql);
  if (rows.size() != 1 || rows[0].size() != 1) throw std::runtime_error(sql + ": not one value");
  return rows[0][0];
}

}  // namespace comet::testing
