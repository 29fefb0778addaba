#include "sqlite_statement.h"

#include <sqlite3.h>

#include <cmath>
#include <limits>

namespace comet::results {

Statement::Statement(Connection& connection, sqlite3_stmt* statement)
    : connection_(connection), statement_(statement) {}

Statement::~Statement() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

Statement& Statement::bind_int(int index, std::int64_t value) {
  if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) {
    connection_.fail("cannot bind a value for results database");
  }
  return *this;
}

Statement& Statement::bind_real(int index, double value) {
  if (std::isnan(value)) {
    return bind_null(index);
  }
  if (sqlite3_bind_double(statement_, index, value) != SQLITE_OK) {
    connection_.fail("cannot bind a value for results database");
  }
  return *this;
}

Statement& Statement::bind_text(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies, so temporaries passed here are safe.
  if (sqlite3_bind_text64(statement_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK) {
    connection_.fail("cannot bind a value for results database");
  }
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(statement_, index) != SQLITE_OK) {
    connection_.fail("cannot bind a value for results database");
  }
  return *this;
}

int Statement::step() { return sqlite3_step(statement_); }

bool Statement::next_row() {
  const int rc = step();
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc != SQLITE_DONE) {
    connection_.fail("cannot read results database");
  }
  return false;
}

void Statement::run() {
  const int rc = step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    connection_.fail("cannot write results database");
  }
}

bool Statement::run_unless_duplicate() {
  const int rc = step();
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
    return false;
  }
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    connection_.fail("cannot write results database");
  }
  return true;
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::int64_t Statement::read_int(int column) const {
  return sqlite3_column_int64(statement_, column);
}

double Statement::read_real(int column) const {
  if (is_null(column)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return sqlite3_column_double(statement_, column);
}

std::optional<std::int64_t> Statement::read_optional_int(int column) const {
  if (is_null(column)) {
    return std::nullopt;
  }
  return read_int(column);
}

std::optional<double> Statement::read_optional_real(int column) const {
  if (is_null(column)) {
    return std::nullopt;
  }
  return read_real(column);
}

std::string Statement::read_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  if (text == nullptr) {
    return {};
  }
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

StatementCache::~StatementCache() {
  for (auto& [sql, statement] : compiled_) {
    sqlite3_finalize(statement);
  }
}

Statement StatementCache::prepare(std::string_view sql) {
  const std::string key(sql);
  auto found = compiled_.find(key);
  if (found == compiled_.end()) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(connection_.handle(), key.c_str(), static_cast<int>(key.size() + 1),
                           SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
      connection_.fail("cannot prepare a query on results database");
    }
    found = compiled_.emplace(key, statement).first;
  }
  return Statement(connection_, found->second);
}

}  // namespace comet::results
