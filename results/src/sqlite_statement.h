#pragma once
// Prepared statements, compiled once per connection and reused: every value is bound as a
// parameter, never pasted into SQL.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sqlite_connection.h"

struct sqlite3_stmt;

namespace comet::results {

// A use of a cached statement. Binding indices are 1-based, columns 0-based (as in SQLite).
// Going out of scope resets the statement and clears its bindings, so no half-read query keeps
// a snapshot open and the next use starts clean.
class Statement {
 public:
  Statement(Connection& connection, sqlite3_stmt* statement);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind_int(int index, std::int64_t value);
  // NaN is bound as NULL (SQLite cannot store NaN); see read_real.
  Statement& bind_real(int index, double value);
  Statement& bind_text(int index, std::string_view value);
  Statement& bind_null(int index);

  // Steps once: true while a row is available.
  bool next_row();
  // Steps a statement that returns no rows.
  void run();
  // Like run(), but returns false instead of throwing when a PRIMARY KEY or UNIQUE constraint
  // rejects the row (the caller knows what the duplicate means).
  bool run_unless_duplicate();

  bool is_null(int column) const;
  std::int64_t read_int(int column) const;
  double read_real(int column) const;  // NULL reads as NaN
  std::optional<std::int64_t> read_optional_int(int column) const;
  std::optional<double> read_optional_real(int column) const;
  std::string read_text(int column) const;  // NULL reads as ""

 private:
  int step();

  Connection& connection_;
  sqlite3_stmt* statement_;
};

class StatementCache {
 public:
  explicit StatementCache(Connection& connection) : connection_(connection) {}
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;
  ~StatementCache();

  // Compiles `sql` on first use; later uses of the same text reuse the compiled statement.
  Statement prepare(std::string_view sql);

 private:
  Connection& connection_;
  std::unordered_map<std::string, sqlite3_stmt*> compiled_;
};

}  // namespace comet::results
