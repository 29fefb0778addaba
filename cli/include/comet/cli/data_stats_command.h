#pragma once
// `comet data stats CORPUS`: what a tokenized text corpus holds and the unigram perplexity a
// language model must beat (docs/commands/data.md).

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <string>

#include "comet/cli/table_printer.h"

namespace comet::cli {

struct DataStatsParams {
  std::string name;                 // a text corpus: python_stdlib, wikitext2, text, ...
  std::filesystem::path data_root;  // empty: COMET_DATA or the cache folder
  std::int64_t block_size = 1024;   // the blocks the corpus is cut into (the sweep's block_size)
  std::map<std::string, std::string> options;  // the dataset's options (text.file=... as file)
  OutputFormat format = OutputFormat::table;
};
// One row: blocks, tokens and predictions per split, distinct training ids, and the unigram
// perplexity of the validation and test splits. A dataset that is not a corpus: exit 2.
int data_stats_command(const DataStatsParams& params, std::ostream& out, std::ostream& err);

}  // namespace comet::cli
