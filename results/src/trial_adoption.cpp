// Trials stored under the ids they had before comet folded the keys their model ignores
// (TrialSpec::earlier_ids): found, and moved to their id when their sweep is registered, so a
// database written by an earlier comet keeps its results and nothing is trained again.

#include <fmt/format.h>

#include "result_store_impl.h"

namespace comet::results {

std::optional<std::string> ResultStore::Impl::stored_id(const sweeps::TrialSpec& trial) {
  if (trial_exists(trial.id)) return trial.id;
  // Several grid points of one trial may each have been trained under their own earlier id
  // (standard once per p_k): a done one is taken first, else the first stored.
  std::optional<std::string> first;
  for (const auto& earlier : trial.earlier_ids) {
    auto query = statements.prepare("SELECT status FROM trials WHERE id = ?1");
    query.bind_text(1, earlier);
    if (!query.next_row()) continue;
    if (query.read_text(0) == "done") return earlier;
    if (!first) first = earlier;
  }
  return first;
}

std::optional<std::string> ResultStore::stored_id(const sweeps::TrialSpec& trial) const {
  return impl_->stored_id(trial);
}

// Inside register_sweep's transaction. The row is copied under the new id with the folded
// config, every row that names the earlier id follows it, and the earlier row goes (foreign
// keys are checked per statement, so the parent row must exist before its children move).
// Other earlier ids of the same trial stay as they are: the same training, stored twice.
void ResultStore::Impl::adopt(const std::string& earlier_id, const sweeps::TrialSpec& trial,
                              const std::string& now) {
  auto copy = statements.prepare(
      "INSERT INTO trials (id, config_json, status, trainable_parameters, created_at, "
      "updated_at) SELECT ?1, ?2, status, trainable_parameters, created_at, ?3 FROM trials "
      "WHERE id = ?4");
  copy.bind_text(1, trial.id).bind_text(2, trial.config.canonical_json()).bind_text(3, now);
  copy.bind_text(4, earlier_id).run();
  if (connection.changes() != 1) {
    throw StoreError(fmt::format("results database {}: trial {} could not be stored as {}",
                                 connection.path(), earlier_id, trial.id));
  }
  for (const char* sql :
       {"UPDATE attempts SET trial_id = ?1 WHERE trial_id = ?2",
        "UPDATE metrics SET trial_id = ?1 WHERE trial_id = ?2",
        // A sweep that listed the earlier id lists the trial instead.
        "UPDATE OR IGNORE sweep_trials SET trial_id = ?1 WHERE trial_id = ?2",
        "DELETE FROM sweep_trials WHERE trial_id = ?2", "DELETE FROM trials WHERE id = ?2"}) {
    auto move = statements.prepare(sql);
    move.bind_text(1, trial.id).bind_text(2, earlier_id).run();
  }
}

}  // namespace comet::results
