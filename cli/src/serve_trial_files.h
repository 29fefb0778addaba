#pragma once
// What the run folder (<db>.runs, checkpoint_dir) holds about a trial, for `comet serve`'s trial
// page: its checkpoint's state and the tail of its log. The files are named only through
// sweeps::trial_file_name, which refuses anything but a 16-hex-digit id.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace comet::cli {

inline constexpr std::size_t kLogTailBytes = 16 * 1024;

// {"exists", "bytes", "modified_at" (UTC ISO 8601), "resumable_epoch"}: the last epoch a run
// could resume after without a hole in the curve (ResultStore::stored_epoch_prefix).
nlohmann::ordered_json checkpoint_json(const std::filesystem::path& db, const std::string& trial_id,
                                       int resumable_epoch);

// The last kLogTailBytes of <db>.runs/<id>.log, starting at a line; "" when there is none.
// Bytes that are not UTF-8 are replaced, so the JSON stays valid.
std::string log_tail(const std::filesystem::path& db, const std::string& trial_id);

}  // namespace comet::cli
