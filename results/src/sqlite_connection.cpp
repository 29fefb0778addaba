#include "sqlite_connection.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <string>

#include "comet/results/store_error.h"

namespace comet::results {

Connection::Connection(const std::filesystem::path& path, Mode mode)
    : path_(path.string()), mode_(mode) {
  int flags = SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_NOMUTEX;
  flags |=
      mode == Mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    // On most failures SQLite still allocates a handle that carries the message.
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreError(fmt::format("cannot open results database {}: {}", path_, message));
  }
  sqlite3_busy_timeout(db_, 5000);
}

Connection::~Connection() { sqlite3_close_v2(db_); }

std::int64_t Connection::changes() const { return sqlite3_changes64(db_); }

void Connection::execute(std::string_view sql, std::string_view what) {
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    fail(what);
  }
}

void Connection::fail(std::string_view what) const {
  throw StoreError(fmt::format("{} {}: {}", what, path_, sqlite3_errmsg(db_)));
}

Transaction::Transaction(Connection& connection, Kind kind) : connection_(connection) {
  connection_.execute(kind == Kind::write ? "BEGIN IMMEDIATE" : "BEGIN");
  open_ = true;
}

Transaction::~Transaction() {
  if (open_) {
    // Never throws: a failed rollback leaves nothing more to undo than the failure itself.
    sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

void Transaction::commit() {
  connection_.execute("COMMIT");
  open_ = false;
}

}  // namespace comet::results
