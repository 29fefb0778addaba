// Text corpora as datasets: run_clm's blocks, the uint16 token cache keyed by both checksums
// (a second load reads it), python_stdlib's split by file, `text` with and without val_file.
// The data root is a temp folder holding copies of ../shared/data files.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include <torch/torch.h>

#include "file_text.h"
#include "temp_dir.h"
#include "test_paths.h"

#include "comet/datasets/bpe_tokenizer.h"
#include "comet/datasets/dataset.h"

namespace comet::datasets {
namespace {

namespace fs = std::filesystem;

fs::path shared_data() { return fs::path(testing::kSourceDir) / ".." / "shared" / "data"; }

// A data root with the tokenizer files and WikiText-2's two shared files; valid.txt doubles as
// the training file (the shared folder has no train.txt).
class CorpusRoot {
 public:
  CorpusRoot() {
    fs::create_directories(dir_ / "gpt2-bpe");
    for (const char* f : {"encoder.json", "vocab.bpe"}) {
      fs::copy_file(shared_data() / "gpt2-bpe" / f, dir_ / "gpt2-bpe" / f);
    }
    fs::create_directories(dir_ / "wikitext2");
    fs::copy_file(shared_data() / "wikitext-2" / "valid.txt", dir_ / "wikitext2" / "train.txt");
    fs::copy_file(shared_data() / "wikitext-2" / "valid.txt", dir_ / "wikitext2" / "valid.txt");
    fs::copy_file(shared_data() / "wikitext-2" / "test.txt", dir_ / "wikitext2" / "test.txt");
  }
  const fs::path& path() const { return dir_.path(); }
  fs::path operator/(const std::string& name) const { return dir_ / name; }

 private:
  testing::TempDir dir_;
};

DatasetRequest request_for(const std::string& name, const fs::path& root, std::int64_t block,
                           std::map<std::string, std::string> options = {}) {
  DatasetRequest r;
  r.name = name;
  r.data_root = root;
  options["block_size"] = std::to_string(block);
  r.options = std::move(options);
  return r;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

BpeTokenizer tokenizer_of(const CorpusRoot& root) {
  return BpeTokenizer::from_data_root(root.path());
}

TEST(TextCorpus, Wikitext2InBlocksThenFromTheCache) {
  CorpusRoot root;
  auto start = std::chrono::steady_clock::now();
  const auto first = load_dataset(request_for("wikitext2", root.path(), 128));
  const double tokenize_s = seconds_since(start);
  const auto& info = first->info();
  EXPECT_EQ(info.task, Task::language_modeling);
  EXPECT_EQ(info.vocab_size, 50257);
  EXPECT_EQ(info.output_dim, 50257);
  EXPECT_EQ(info.block_size, 128);
  EXPECT_EQ(info.input_dim, 128);
  EXPECT_EQ(info.tokenizer, "gpt2-bpe");
  EXPECT_FALSE(info.tokens_from_cache);
  // js-tiktoken's counts: 258,659 ids in valid.txt, 295,877 in test.txt; the tail is dropped.
  EXPECT_EQ(first->validation().size(), 258659 / 128);
  EXPECT_EQ(first->train().size(), 258659 / 128);
  EXPECT_EQ(first->test().size(), 295877 / 128);
  const auto& features = first->validation().features();
  EXPECT_EQ(features.scalar_type(), torch::kInt32);
  EXPECT_EQ(features.sizes(), (std::vector<std::int64_t>{258659 / 128, 128}));
  EXPECT_EQ(first->train().targets().sizes(), (std::vector<std::int64_t>{258659 / 128}));
  EXPECT_EQ(first->validation().ids()[5].item<std::int64_t>(), 5);

  // The blocks are the file's ids in order: block 3 is ids 384..511.
  auto tokenizer = tokenizer_of(root);
  const auto ids = tokenizer.encode(testing::slurp(root / "wikitext2/valid.txt"));
  for (int i = 0; i < 128; ++i) {
    ASSERT_EQ(features[3][i].item<std::int32_t>(), ids[384 + i]);
  }
  const auto tokens = first->prepare(features.narrow(0, 0, 2));
  EXPECT_EQ(tokens.scalar_type(), torch::kInt64);
  EXPECT_EQ(tokens[1][0].item<std::int64_t>(), ids[128]);

  // nanoGPT's layout: little-endian uint16, the whole split.
  const auto val_bin = testing::slurp(info.token_cache / "val.bin");
  ASSERT_EQ(val_bin.size(), 2 * 258659u);
  EXPECT_EQ(static_cast<unsigned char>(val_bin[0]) | (static_cast<unsigned char>(val_bin[1]) << 8),
            ids[0]);
  EXPECT_TRUE(info.token_cache.string().starts_with((root / "wikitext2" / "tokens").string()));

  start = std::chrono::steady_clock::now();
  const auto second = load_dataset(request_for("wikitext2", root.path(), 256));
  const double cached_s = seconds_since(start);
  EXPECT_TRUE(second->info().tokens_from_cache);
  EXPECT_EQ(second->info().token_cache, info.token_cache);
  EXPECT_EQ(second->validation().size(), 258659 / 256);
  EXPECT_TRUE(torch::equal(second->validation().features()[0].narrow(0, 0, 128), features[0]));
  std::printf("wikitext2 load: tokenized %.3f s, from the cache %.3f s\n", tokenize_s, cached_s);
}

TEST(TextCorpus, ChangedTextOrTokenizerIsTokenizedAgain) {
  CorpusRoot root;
  const auto first = load_dataset(request_for("wikitext2", root.path(), 128));
  std::ofstream(root / "wikitext2/test.txt", std::ios::app) << " one more line\n";
  const auto changed = load_dataset(request_for("wikitext2", root.path(), 128));
  EXPECT_FALSE(changed->info().tokens_from_cache);
  EXPECT_NE(changed->info().token_cache, first->info().token_cache);
  // A damaged cache (odd size) is not used.
  std::ofstream(changed->info().token_cache / "val.bin", std::ios::app) << 'x';
  EXPECT_FALSE(load_dataset(request_for("wikitext2", root.path(), 128))->info().tokens_from_cache);
}

TEST(TextCorpus, PythonStdlibSplitsByFileWithEndOfTextBetween) {
  CorpusRoot root;
  const auto data = load_dataset(request_for("python_stdlib", root.path(), 64));
  EXPECT_FALSE(data->info().tokens_from_cache);
  // 239 / 15 / 16 of the 270 files (5.2 MB / 131 kB / 217 kB) on Debian 12's 3.11.2.
  EXPECT_GT(data->train().size(), 10 * data->validation().size());
  EXPECT_GT(data->validation().size(), 100);
  EXPECT_GT(data->test().size(), 100);
  // Each file ends with <|endoftext|>: the validation split's 15 files give 15 of them in
  // val.bin, and the blocks hold those that are not in the dropped tail.
  const auto val = data->validation().features();
  const auto bin = testing::slurp(data->info().token_cache / "val.bin");
  std::int64_t eot_in_file = 0, eot_in_blocks = 0;
  for (std::size_t i = 0; i + 1 < bin.size(); i += 2) {
    const bool eot = static_cast<unsigned char>(bin[i]) == (50256 & 0xFF) &&
                     static_cast<unsigned char>(bin[i + 1]) == (50256 >> 8);
    eot_in_file += eot;
    eot_in_blocks += eot && static_cast<std::int64_t>(i / 2) < val.numel();
  }
  EXPECT_EQ(eot_in_file, 15);
  EXPECT_EQ((val == 50256).sum().item<std::int64_t>(), eot_in_blocks);
  EXPECT_GE(eot_in_blocks, 12);
  EXPECT_LT(val.max().item<std::int32_t>(), 50257);
  EXPECT_TRUE(
      load_dataset(request_for("python_stdlib", root.path(), 64))->info().tokens_from_cache);
}

TEST(TextCorpus, TextFileHoldsOutItsTailOrReadsValFile) {
  CorpusRoot root;
  std::string text;
  for (int i = 0; i < 400; ++i) text += "Line " + std::to_string(i) + " of a small corpus.\n";
  fs::create_directories(root / "text");
  std::ofstream(root / "text/mine.txt") << text;
  auto tokenizer = tokenizer_of(root);
  const auto n = static_cast<std::int64_t>(tokenizer.encode(text).size());

  auto r = request_for("text", root.path(), 32, {{"file", "mine.txt"}});
  r.val_fraction = 0.25;
  const auto tail = load_dataset(r);
  const auto blocks = n / 32;
  const auto held = (blocks + 3) / 4;  // ceil(25%)
  EXPECT_EQ(tail->validation().size(), held);
  EXPECT_EQ(tail->train().size(), blocks - held);
  EXPECT_EQ(tail->test().size(), 0);

  // JSON lines: the field of each line, <|endoftext|> after each; a separate validation file.
  std::ofstream(root / "text/train.jsonl") << "{\"body\": \"alpha beta\"}\n{\"body\": \"gamma\"}\n";
  std::ofstream(root / "text/val.jsonl") << "{\"body\": \"delta\"}\n";
  const auto json = load_dataset(request_for("text", root.path(), 2,
                                             {{"file", (root / "text/train.jsonl").string()},
                                              {"field", "body"},
                                              {"val_file", "val.jsonl"}}));
  const auto expected_train =
      tokenizer.encode("alpha beta").size() + tokenizer.encode("gamma").size() + 2;
  EXPECT_EQ(json->train().size(), static_cast<std::int64_t>(expected_train / 2));
  EXPECT_EQ(json->validation().size(),
            static_cast<std::int64_t>((tokenizer.encode("delta").size() + 1) / 2));
}

TEST(TextCorpus, ErrorsNameTheValueAndWhatIsAllowed) {
  CorpusRoot root;
  auto message = [&](const DatasetRequest& r) -> std::string {
    try {
      (void)load_dataset(r);
    } catch (const DatasetError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(message(request_for("wikitext2", root.path(), 1000000))
                .find("not one block of block_size 1000000; allowed: a smaller block_size"),
            std::string::npos);
  EXPECT_NE(message(request_for("text", root.path(), 8)).find("dataset text needs text.file"),
            std::string::npos);
  EXPECT_NE(message(request_for("text", root.path(), 8, {{"file", "nope.txt"}})).find("nope.txt"),
            std::string::npos);
  EXPECT_NE(message(request_for("wikitext2", root.path(), 0)).find("block_size '0'"),
            std::string::npos);
  testing::TempDir empty;
  EXPECT_NE(message(request_for("wikitext103", empty.path(), 8)).find("wiki.train.raw"),
            std::string::npos);
  fs::remove_all(root / "gpt2-bpe");
  EXPECT_NE(message(request_for("wikitext2", root.path(), 8)).find("comet data get gpt2-bpe"),
            std::string::npos);
}

}  // namespace
}  // namespace comet::datasets
