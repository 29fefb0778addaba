#include "sqlite_connection.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <string>

#include "comet/results/store_error.h"

namespace comet::results {

namespace {

// Why SQLite may not write `path`: the file itself, or the folder where a WAL database keeps its
// -wal and -shm files. "" when both look writable (access() asks with this user's rights; a
// read-only file system answers EROFS even for root).
std::string not_writable_cause(const std::string& path) {
  if (::access(path.c_str(), W_OK) != 0 && errno != ENOENT) {
    return fmt::format(" (the file is not writable: {})", std::strerror(errno));
  }
  const auto parent = std::filesystem::path(path).parent_path();
  const std::string folder = parent.empty() ? "." : parent.string();
  if (::access(folder.c_str(), W_OK) != 0) {
    const int error = errno;
    return fmt::format(
        " (its folder {} is not writable: {}; SQLite keeps the -wal and -shm files there)", folder,
        std::strerror(error));
  }
  return "";
}

// A WAL file with frames in it may hold commits the main file does not have yet.
bool wal_has_content(const std::string& path) {
  struct stat info {};
  return ::stat((path + "-wal").c_str(), &info) == 0 && info.st_size > 0;
}

// file: URI of a path (RFC 3986: anything but unreserved characters and '/' percent-encoded).
std::string file_uri(const std::string& path) {
  std::string uri = "file:";
  for (const unsigned char c : std::filesystem::absolute(path).string()) {
    if (std::isalnum(c) != 0 || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      uri += static_cast<char>(c);
    } else {
      uri += fmt::format("%{:02X}", c);
    }
  }
  return uri;
}

}  // namespace

Connection::Connection(const std::filesystem::path& path, Mode mode)
    : path_(path.string()), mode_(mode) {
  if (mode == Mode::read_write_create) {
    open(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    // SQLite quietly opens a file it may not write read-only; the first write would then fail
    // with "attempt to write a readonly database". Say so now, with the reason.
    if (sqlite3_db_readonly(db_, "main") == 1) {
      const std::string cause = not_writable_cause(path_);
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw StoreError(
          fmt::format("cannot write results database {}: it can only be opened "
                      "read-only{}",
                      path_, cause.empty() ? " (not writable)" : cause));
    }
    return;
  }
  // A WAL database needs its -shm file even to be read, and SQLite creates it (and the -wal)
  // with the database file's permissions. For a file this user may not write, that would leave
  // read-only -shm and -wal files behind which later stop its owner's `comet run` ("attempt to
  // write a readonly database"). Without a -shm file no connection has it open (a writer keeps
  // one while it runs; a crashed one leaves a WAL with content), so it is read as immutable:
  // no locks, no -shm, nothing created.
  if (::access(path_.c_str(), W_OK) != 0 && !std::filesystem::exists(path_ + "-shm") &&
      !wal_has_content(path_)) {
    open(file_uri(path_) + "?immutable=1", SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
    return;
  }
  open(path_, SQLITE_OPEN_READONLY);
  // In a folder this user cannot write, SQLite cannot create the -shm file at all. Nobody can
  // be writing such a file (a writer would need the same folder), so it is read as immutable.
  if (sqlite3_exec(db_, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr) !=
      SQLITE_OK) {
    const int primary = sqlite3_extended_errcode(db_) & 0xff;
    if ((primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN) && !wal_has_content(path_)) {
      sqlite3_close_v2(db_);
      db_ = nullptr;
      open(file_uri(path_) + "?immutable=1", SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
    }
  }
}

void Connection::open(const std::string& name, int flags) {
  flags |= SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(name.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    // On most failures SQLite still allocates a handle that carries the message.
    const std::string message = db_ != nullptr ? error_text() : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreError(fmt::format("cannot open results database {}: {}", path_, message));
  }
  // Readers and writers wait for a lock up to 5 s (in WAL mode only writers ever wait, for
  // each other, and a comet transaction takes milliseconds).
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
  throw StoreError(fmt::format("{} {}: {}", what, path_, error_text()));
}

namespace {

// The system error of the last failed write: sqlite3_system_errno() reads errno when the
// statement ends, after other calls may have changed it, so ask the files themselves (the WAL or
// rollback journal, then the database file) for the errno of their last failure.
int last_file_errno(sqlite3* db) {
  int error = 0;
  sqlite3_file* journal = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &journal) == SQLITE_OK &&
      journal != nullptr && journal->pMethods != nullptr) {
    journal->pMethods->xFileControl(journal, SQLITE_FCNTL_LAST_ERRNO, &error);
  }
  if (error == 0) sqlite3_file_control(db, "main", SQLITE_FCNTL_LAST_ERRNO, &error);
  return error;
}

}  // namespace

std::string Connection::error_text() const {
  std::string text = sqlite3_errmsg(db_);
  const int primary = sqlite3_extended_errcode(db_) & 0xff;
  int system_error = sqlite3_system_errno(db_);
  switch (primary) {
    case SQLITE_IOERR:
    case SQLITE_FULL:
      // EFBIG (a file size limit), EIO; a full disk is SQLITE_FULL with no system error.
      if (system_error == 0) system_error = last_file_errno(db_);
      if (system_error != 0) text += fmt::format(" ({})", std::strerror(system_error));
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY: {
      const std::string cause = not_writable_cause(path_);
      if (!cause.empty()) {
        text += cause;
      } else if (system_error != 0) {
        text += fmt::format(" ({})", std::strerror(system_error));
      }
      break;
    }
    case SQLITE_CORRUPT:
      text += " (the file is damaged: truncated or overwritten; restore it from a copy)";
      break;
    case SQLITE_NOTADB:
      text += " (not an SQLite file, or its header is damaged)";
      break;
    default:
      break;
  }
  return text;
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
  // Commit is where a WAL transaction's pages are written: a full disk shows up here. The
  // destructor then rolls back what SQLite has not rolled back itself.
  connection_.execute("COMMIT", "cannot write results database");
  open_ = false;
}

}  // namespace comet::results
