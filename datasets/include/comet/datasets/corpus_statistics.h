#pragma once
// What a tokenized text corpus holds, and the perplexity a model must beat to have learned more
// than token frequencies (`comet data stats`, issue 16's acceptance). torch-free.

#include <cstdint>

namespace comet::datasets {

class Dataset;

struct SplitTokens {
  std::int64_t blocks = 0;
  std::int64_t tokens = 0;       // blocks * block_size
  std::int64_t predictions = 0;  // blocks * (block_size - 1): what next_token_loss averages over
};

struct CorpusStatistics {
  std::int64_t block_size = 0;
  std::int64_t vocab_size = 0;
  SplitTokens train, validation, test;
  std::int64_t train_distinct = 0;  // distinct ids among the training tokens
  // exp of the mean negative log-probability of the validation split's predicted tokens (each
  // block's tokens after its first, as a language model's loss counts them) under the training
  // split's unigram frequencies with add-one smoothing over the vocabulary:
  // p(t) = (count_t + 1) / (train tokens + vocab_size).
  double unigram_val_perplexity = 0;
  double unigram_test_perplexity = 0;  // the same on the test split; 0 when it has none
};

// Throws DatasetError when the dataset is not a tokenized corpus (Task::language_modeling).
CorpusStatistics corpus_statistics(const Dataset& data);

}  // namespace comet::datasets
