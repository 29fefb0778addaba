#include "corpus_dataset.h"

#include <cmath>

#include <torch/torch.h>

#include "text/token_cache.h"

#include "comet/datasets/bpe_tokenizer.h"
#include "comet/datasets/catalog.h"

namespace comet::datasets {
namespace {

std::int64_t block_size_of(const DatasetRequest& request) {
  const auto it = request.options.find("block_size");
  if (it == request.options.end()) return 1024;
  try {
    std::size_t used = 0;
    const auto value = std::stoll(it->second, &used);
    if (used == it->second.size() && value >= 1) return value;
  } catch (const std::exception&) {
  }
  throw DatasetError("dataset " + request.name + ": block_size '" + it->second +
                     "' is not a whole number >= 1");
}

// The ids cut into [blocks, block_size] int32 (run_clm's group_texts: the tail that does not
// fill a block is dropped).
torch::Tensor blocks_of(const std::vector<std::uint16_t>& ids, std::int64_t block_size) {
  const auto blocks = static_cast<std::int64_t>(ids.size()) / block_size;
  auto out = torch::empty({blocks, block_size}, torch::kInt32);
  auto* p = out.data_ptr<std::int32_t>();
  for (std::int64_t i = 0; i < blocks * block_size; ++i) p[i] = ids[i];
  return out;
}

Split split_of(const torch::Tensor& blocks, const torch::Device& device) {
  const auto n = blocks.size(0);
  return Split(blocks.to(device), torch::zeros({n}, torch::kInt64).to(device),
               torch::arange(n, torch::kInt64).to(device));
}

}  // namespace

std::shared_ptr<const Dataset> corpus_dataset(const DatasetRequest& request,
                                              const CorpusText& corpus,
                                              const std::filesystem::path& data_root,
                                              const std::filesystem::path& cache_root) {
  const auto block_size = block_size_of(request);
  auto tokenizer = BpeTokenizer::from_data_root(data_root);
  const auto tokens = corpus_tokens(corpus, tokenizer, cache_root);

  auto train = blocks_of(tokens.ids[kTrainPart], block_size);
  auto validation = blocks_of(tokens.ids[kValidationPart], block_size);
  if (corpus.validation_from_training_tail) {
    // text without text.val_file: the file's last val_fraction of blocks.
    const auto total = train.size(0);
    const auto held = static_cast<std::int64_t>(std::ceil(total * request.val_fraction));
    validation = train.narrow(0, total - held, held).clone();
    train = train.narrow(0, 0, total - held).clone();
  }
  auto too_few = [&](const char* split, std::size_t ids) {
    return DatasetError("dataset " + request.name + ": its " + split + " split has " +
                        std::to_string(ids) + " tokens, not one block of block_size " +
                        std::to_string(block_size) + "; allowed: a smaller block_size");
  };
  if (train.size(0) < 1) throw too_few("training", tokens.ids[kTrainPart].size());
  if (validation.size(0) < 1) {
    throw too_few("validation", corpus.validation_from_training_tail
                                    ? tokens.ids[kTrainPart].size()
                                    : tokens.ids[kValidationPart].size());
  }
  if (request.train_limit > 0) {
    if (request.train_limit > train.size(0)) {
      throw DatasetError("train_limit " + std::to_string(request.train_limit) + " exceeds the " +
                         std::to_string(train.size(0)) + " training blocks of " + request.name);
    }
    train = train.narrow(0, 0, request.train_limit);
  }
  auto test = blocks_of(tokens.ids[kTestPart], block_size);

  DatasetInfo info;
  info.name = request.name;
  info.task = Task::language_modeling;
  info.input_dim = block_size;
  info.output_dim = tokenizer.vocab_size();
  info.vocab_size = tokenizer.vocab_size();
  info.tokenizer = kGpt2BpeEntry;
  info.block_size = block_size;
  info.normalisation = "none (token ids)";
  info.token_cache = tokens.cache_dir;
  info.tokens_from_cache = tokens.from_cache;
  info.files = corpus.files;
  try {
    const torch::Device device(request.device);
    return std::make_shared<Dataset>(info, split_of(train, device), split_of(validation, device),
                                     split_of(test, device));
  } catch (const c10::Error& e) {
    throw DatasetError("cannot place dataset '" + request.name + "' on device '" + request.device +
                       "': " + e.what_without_backtrace());
  }
}

}  // namespace comet::datasets
