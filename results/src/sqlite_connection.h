#pragma once
// Thin RAII over the SQLite C API: a connection that names its file in every error, and a
// transaction that rolls back unless committed.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

struct sqlite3;

namespace comet::results {

class Connection {
 public:
  enum class Mode { read_write_create, read_only };

  // Opens the file; errors that SQLite only reports on first use (a file that is not a
  // database) surface from the first statement. read_write_create refuses a file that SQLite
  // can only open read-only (not writable by this user, a read-only file system). read_only
  // reads in SQLite's immutable mode (creating no -shm or -wal file) a database that no
  // connection has open (no -shm file, no WAL content) and that this user may not write, or that
  // sits in a folder this user cannot write (where SQLite could not create the -shm file).
  Connection(const std::filesystem::path& path, Mode mode);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  bool read_only() const { return mode_ == Mode::read_only; }
  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes() const;

  // Runs SQL without parameters (schema, PRAGMAs, BEGIN/COMMIT). Never for values. A failure
  // throws StoreError "<what> <path>: <error_text>".
  void execute(std::string_view sql, std::string_view what = "cannot use results database");
  // Throws StoreError "<what> <path>: <error_text>".
  [[noreturn]] void fail(std::string_view what) const;
  // SQLite's message for the last error and, where it helps, its cause: the system error of an
  // I/O failure ("disk I/O error (File too large)"), which of file or folder is not writable,
  // what a damaged file means.
  std::string error_text() const;

 private:
  void open(const std::string& name, int flags);

  sqlite3* db_ = nullptr;
  std::string path_;
  Mode mode_;
};

// BEGIN (read: a consistent snapshot; WAL readers never block the writer) or BEGIN IMMEDIATE
// (write: takes the write lock up front, so a busy database fails at BEGIN, not halfway).
class Transaction {
 public:
  enum class Kind { read, write };

  Transaction(Connection& connection, Kind kind);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();  // rolls back if commit() was not reached

  // A failed COMMIT (a full disk) rolls the transaction back: none of its rows is stored.
  void commit();

 private:
  Connection& connection_;
  bool open_ = false;
};

}  // namespace comet::results
