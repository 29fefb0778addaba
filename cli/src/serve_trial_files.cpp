#include "serve_trial_files.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <fstream>

#include "serve_request.h"

#include "comet/cli/commands.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::cli {

nlohmann::ordered_json checkpoint_json(const std::filesystem::path& db, const std::string& trial_id,
                                       int resumable_epoch) {
  const auto path = checkpoint_dir(db) / sweeps::trial_file_name(trial_id, ".ckpt");
  nlohmann::ordered_json j;
  struct stat info {};
  const bool exists = ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
  j["exists"] = exists;
  j["bytes"] = exists ? nlohmann::ordered_json(info.st_size) : nlohmann::ordered_json(nullptr);
  j["modified_at"] = exists ? nlohmann::ordered_json(fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                                                                 fmt::gmtime(info.st_mtim.tv_sec)))
                            : nlohmann::ordered_json(nullptr);
  j["resumable_epoch"] = resumable_epoch;
  return j;
}

std::string log_tail(const std::filesystem::path& db, const std::string& trial_id) {
  std::ifstream file(checkpoint_dir(db) / sweeps::trial_file_name(trial_id, ".log"),
                     std::ios::binary | std::ios::ate);
  if (!file) return "";
  const auto size = static_cast<std::size_t>(file.tellg());
  const std::size_t start = size > kLogTailBytes ? size - kLogTailBytes : 0;
  file.seekg(static_cast<std::streamoff>(start));
  std::string text(size - start, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(file.gcount()));
  if (start > 0) {
    const auto newline = text.find('\n');
    text.erase(0, newline == std::string::npos ? 0 : newline + 1);  // from a whole line
  }
  // Per byte: text a JSON string can hold as is, else U+FFFD (a cut or foreign byte).
  std::string clean;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = 1;
    while (length <= 4 && i + length <= text.size() &&
           !is_plain_text(std::string_view(text).substr(i, length))) {
      ++length;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || c == '\t') {
      clean += static_cast<char>(c);
      ++i;
    } else if (length <= 4 && i + length <= text.size()) {
      clean.append(text, i, length);
      i += length;
    } else {
      clean += "\xef\xbf\xbd";
      ++i;
    }
  }
  return clean;
}

}  // namespace comet::cli
