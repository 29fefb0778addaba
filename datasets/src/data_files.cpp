#include "raw_data.h"

namespace comet::datasets {

std::filesystem::path find_data_file(const ReaderContext& context,
                                     const std::filesystem::path& relative) {
  for (const auto& dir : context.dirs) {
    const auto candidate = dir / relative;
    if (std::filesystem::is_regular_file(candidate)) return candidate;
  }
  std::string looked;
  for (const auto& dir : context.dirs) looked += "\n  " + (dir / relative).string();
  throw DatasetError(
      "dataset '" + context.name + "': missing data file " + relative.string() +
      "; looked for:" + looked + "\n(`comet data get " + context.name +
      "` fetches it where the publisher allows; docs/datasets.md says where to get it)");
}

}  // namespace comet::datasets
