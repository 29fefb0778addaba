#include "comet/datasets/corpus_statistics.h"

#include <cmath>

#include <torch/torch.h>

#include "comet/datasets/dataset.h"

namespace comet::datasets {
namespace {

SplitTokens count(const Split& split, std::int64_t block_size) {
  SplitTokens t;
  t.blocks = split.size();
  t.tokens = t.blocks * block_size;
  t.predictions = t.blocks * (block_size - 1);
  return t;
}

// exp(-mean log p) over every token of `split` after each block's first.
double unigram_perplexity(const Split& split, const torch::Tensor& log_p) {
  if (split.size() == 0) return 0;
  const auto predicted = split.features().narrow(1, 1, split.features().size(1) - 1);
  const auto ids = predicted.reshape({-1}).to(torch::kLong).cpu();
  return std::exp(-log_p.index_select(0, ids).mean().item<double>());
}

}  // namespace

CorpusStatistics corpus_statistics(const Dataset& data) {
  const auto& info = data.info();
  if (info.task != Task::language_modeling) {
    throw DatasetError("dataset " + info.name +
                       " is not a tokenized text corpus; corpus statistics need one of: "
                       "python_stdlib, wikitext2, wikitext103, codeparrot, text");
  }
  CorpusStatistics s;
  s.block_size = info.block_size;
  s.vocab_size = info.vocab_size;
  s.train = count(data.train(), info.block_size);
  s.validation = count(data.validation(), info.block_size);
  s.test = count(data.test(), info.block_size);
  torch::NoGradGuard no_grad;
  const auto train_ids = data.train().features().reshape({-1}).to(torch::kLong).cpu();
  const auto counts = train_ids.bincount({}, info.vocab_size).to(torch::kDouble);
  s.train_distinct = (counts > 0).sum().item<std::int64_t>();
  // Add-one smoothing: a validation token the training split never holds still has p > 0.
  const auto log_p =
      (counts + 1.0).log() - std::log(static_cast<double>(train_ids.numel() + info.vocab_size));
  s.unigram_val_perplexity = unigram_perplexity(data.validation(), log_p);
  s.unigram_test_perplexity = unigram_perplexity(data.test(), log_p);
  return s;
}

}  // namespace comet::datasets
