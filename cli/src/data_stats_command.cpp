// comet data stats: a corpus loaded as a training run loads it (tokenized, cached, cut into
// blocks), then counted.

#include "comet/cli/data_stats_command.h"

#include <fmt/format.h>

#include <chrono>
#include <ostream>

#include "comet/cli/usage_error.h"
#include "comet/datasets/corpus_statistics.h"
#include "comet/datasets/dataset.h"

namespace comet::cli {

int data_stats_command(const DataStatsParams& params, std::ostream& out, std::ostream& err) {
  if (params.block_size < 2) {
    throw UsageError(
        fmt::format("--block-size {} is not allowed; allowed: an integer >= 2", params.block_size));
  }
  datasets::DatasetRequest request;
  request.name = params.name;
  request.data_root = params.data_root;
  request.options = params.options;
  request.options["block_size"] = std::to_string(params.block_size);
  const auto started = std::chrono::steady_clock::now();
  const auto data = datasets::load_dataset(request);  // DatasetError (exit 2) names the file
  const auto s = datasets::corpus_statistics(*data);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;

  Table table;
  table.columns = {{"dataset"},
                   {"tokenizer"},
                   {"vocab"},
                   {"block_size"},
                   {"train_blocks"},
                   {"train_tokens"},
                   {"val_blocks"},
                   {"val_tokens"},
                   {"test_blocks"},
                   {"test_tokens"},
                   {"train_distinct_ids"},
                   {"unigram_val_ppl", 1},
                   {"unigram_test_ppl", 1}};
  // Cells one by one, as the other commands: GCC 12 warns falsely on a braced list of them.
  std::vector<Cell> row;
  row.emplace_back(data->info().name);
  row.emplace_back(data->info().tokenizer);
  for (const std::int64_t n :
       {s.vocab_size, s.block_size, s.train.blocks, s.train.tokens, s.validation.blocks,
        s.validation.tokens, s.test.blocks, s.test.tokens, s.train_distinct}) {
    row.emplace_back(n);
  }
  row.emplace_back(s.unigram_val_perplexity);
  if (s.test.blocks > 0) {
    row.emplace_back(s.unigram_test_perplexity);
  } else {
    row.emplace_back(std::monostate{});
  }
  table.rows.push_back(std::move(row));
  print_table(table, params.format, out);
  if (params.format == OutputFormat::table) {
    out << "unigram ppl: exp of the mean negative log-probability of each block's tokens after "
           "its first under the training split's token frequencies (add-one smoothing); a "
           "language model that learned anything beyond frequencies is below it\n";
  }
  err << fmt::format("comet data stats: {} loaded and counted in {:.2f}s\n", params.name,
                     took.count());
  return 0;
}

}  // namespace comet::cli
