#pragma once
// ResultStore's state, shared by the files that implement its writes and its queries.

#include <filesystem>
#include <optional>
#include <string>

#include "sqlite_connection.h"
#include "sqlite_statement.h"

#include "comet/results/result_store.h"

namespace comet::results {

// One connection per store; not for use from two threads at once.
struct ResultStore::Impl {
  Impl(const std::filesystem::path& path, Connection::Mode mode)
      : connection(path, mode), statements(connection) {}

  void require_writable() const;
  bool trial_exists(const std::string& trial_id);
  // trial_adoption.cpp: the id the database stores `trial` under (ResultStore::stored_id), and
  // the move of a trial stored under `earlier_id` to its id (in the caller's transaction).
  std::optional<std::string> stored_id(const sweeps::TrialSpec& trial);
  void adopt(const std::string& earlier_id, const sweeps::TrialSpec& trial, const std::string& now);
  // Ends an open attempt: outcome, kind and error text on the attempt, `status` on its trial.
  void end_attempt(std::int64_t attempt_id, std::string_view outcome, TrialStatus status,
                   const std::string& error, const std::string& kind);

  Connection connection;
  StatementCache statements;  // declared after connection: finalized before it closes
};

}  // namespace comet::results
