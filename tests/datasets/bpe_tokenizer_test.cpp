// The GPT-2 tokenizer against js-tiktoken's ids (fixtures/gpt2_fixture.json, made by
// fixtures/make_gpt2_fixture.js), round trips on random text and bytes, and WikiText-2's
// validation file as js-tiktoken counts it.

#include "comet/datasets/bpe_tokenizer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "file_text.h"
#include "temp_dir.h"
#include "test_paths.h"
#include "text/token_cache.h"

#include "comet/datasets/dataset.h"

namespace comet::datasets {
namespace {

namespace fs = std::filesystem;

fs::path shared_data() { return fs::path(testing::kSourceDir) / ".." / "shared" / "data"; }

BpeTokenizer& gpt2() {
  static BpeTokenizer tokenizer = BpeTokenizer::from_files(
      shared_data() / "gpt2-bpe" / "encoder.json", shared_data() / "gpt2-bpe" / "vocab.bpe");
  return tokenizer;
}

// A UTF-8 string of `count` random scalar values, biased towards ASCII, whitespace and the
// edges of the classes (letters, digits, marks, CJK, emoji, the spaces JavaScript knows).
std::string random_utf8(std::mt19937& rng, int count) {
  const std::vector<std::pair<char32_t, char32_t>> ranges = {
      {0x20, 0x7E},        {0x09, 0x0D},       {0x80, 0x7FF},    {0x800, 0xD7FF},  {0xE000, 0xFFFF},
      {0x10000, 0x10FFFF}, {0x1F600, 0x1F64F}, {0x4E00, 0x9FFF}, {0x2000, 0x200D}, {0x300, 0x36F}};
  std::string out;
  for (int i = 0; i < count; ++i) {
    const auto& [lo, hi] = ranges[rng() % ranges.size()];
    const char32_t cp = lo + rng() % (hi - lo + 1);
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

TEST(BpeTokenizer, KnowsGpt2sVocabulary) {
  EXPECT_EQ(gpt2().vocab_size(), 50257);
  EXPECT_EQ(gpt2().end_of_text(), 50256);
  EXPECT_EQ(gpt2().checksum().size(), 64u);
  const std::vector<std::int32_t> hello = {15496, 995};
  EXPECT_EQ(gpt2().encode("Hello world"), hello);
  EXPECT_EQ(gpt2().decode(hello), "Hello world");
}

TEST(BpeTokenizer, GivesJsTiktokensIdsOnTheFixture) {
  const auto fixture = nlohmann::json::parse(
      testing::slurp(fs::path(testing::kSourceDir) / "tests/datasets/fixtures/gpt2_fixture.json"));
  ASSERT_GE(fixture["cases"].size(), 80u);
  std::size_t tokens = 0;
  for (const auto& c : fixture["cases"]) {
    const auto text = c["text"].get<std::string>();
    const auto expected = c["ids"].get<std::vector<std::int32_t>>();
    EXPECT_EQ(gpt2().encode(text), expected) << "text: " << text;
    EXPECT_EQ(gpt2().decode(expected), text);
    tokens += expected.size();
  }
  EXPECT_GT(tokens, 10000u);
}

TEST(BpeTokenizer, RoundTripsRandomUtf8) {
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    const auto text = random_utf8(rng, 1 + static_cast<int>(rng() % 200));
    const auto ids = gpt2().encode(text);
    ASSERT_EQ(gpt2().decode(ids), text);
    for (const auto id : ids) ASSERT_TRUE(id >= 0 && id < 50256);
  }
}

TEST(BpeTokenizer, RoundTripsInvalidUtf8Bytes) {
  std::mt19937 rng(11);
  for (int i = 0; i < 200; ++i) {
    std::string bytes(1 + rng() % 64, '\0');
    for (auto& b : bytes) b = static_cast<char>(rng() % 256);
    ASSERT_EQ(gpt2().decode(gpt2().encode(bytes)), bytes);
  }
  // A lone continuation byte and a truncated sequence are bytes of their own.
  EXPECT_EQ(gpt2().decode(gpt2().encode("a\x80 b\xE4\xB8")), "a\x80 b\xE4\xB8");
}

// js-tiktoken 1.0.21 on ../shared/data/wikitext-2/valid.txt: 258,659 ids, whose polynomial hash
// (h = h * 31 + id mod 1e9+7) is 842,395,682 (tests/datasets/fixtures/make_gpt2_fixture.js's
// folder; docs/tokenizer.md shows the command).
TEST(BpeTokenizer, CountsWikitext2ValidationAsTheReference) {
  const auto text = testing::slurp(shared_data() / "wikitext-2" / "valid.txt");
  ASSERT_EQ(text.size(), 1121681u);
  const auto start = std::chrono::steady_clock::now();
  const auto ids = gpt2().encode(text);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(ids.size(), 258659u);
  std::uint64_t hash = 0;
  for (const auto id : ids) hash = (hash * 31 + static_cast<std::uint64_t>(id)) % 1000000007;
  EXPECT_EQ(hash, 842395682u);
  EXPECT_EQ(gpt2().decode(ids), text);
  std::printf("wikitext-2 valid.txt: %.2f MB in %.3f s, %.2f MB/s (cache warm from other tests)\n",
              text.size() / 1e6, took.count(), text.size() / 1e6 / took.count());
}

// Corpora are encoded a few MiB at a time (token_cache.h): the cuts must not change the ids.
TEST(BpeTokenizer, EncodingInChunksGivesTheIdsOfTheWhole) {
  const auto text = testing::slurp(shared_data() / "wikitext-2" / "test.txt");
  const auto whole = gpt2().encode(text);
  for (const std::size_t chunk : {1000u, 65536u}) {
    std::vector<std::uint16_t> pieces;
    append_ids(gpt2(), text, pieces, chunk);
    ASSERT_EQ(pieces.size(), whole.size()) << chunk;
    EXPECT_TRUE(std::equal(pieces.begin(), pieces.end(), whole.begin())) << chunk;
  }
  EXPECT_EQ(whole.size(), 295877u);  // js-tiktoken 1.0.21's count of the same file
}

TEST(BpeTokenizer, RejectsIdsOutsideTheVocabulary) {
  const std::vector<std::int32_t> bad = {15496, 50257};
  try {
    (void)gpt2().decode(bad);
    FAIL() << "no error";
  } catch (const DatasetError& e) {
    EXPECT_NE(std::string(e.what()).find("token id 50257 is outside the tokenizer's 0..50256"),
              std::string::npos)
        << e.what();
  }
}

TEST(BpeTokenizer, NamesTheFileOfAMalformedMerge) {
  testing::TempDir dir;
  fs::copy_file(shared_data() / "gpt2-bpe" / "encoder.json", dir / "encoder.json");
  std::ofstream(dir / "vocab.bpe") << "#version: 0.2\nĠ t\nzzzzqqq xxxxjjj\n";
  try {
    (void)BpeTokenizer::from_files(dir / "encoder.json", dir / "vocab.bpe");
    FAIL() << "no error";
  } catch (const DatasetError& e) {
    EXPECT_NE(std::string(e.what()).find("vocab.bpe line 3: merge 'zzzzqqq xxxxjjj'"),
              std::string::npos)
        << e.what();
  }
  std::ofstream(dir / "encoder.json") << "[1, 2]";
  EXPECT_THROW((void)BpeTokenizer::from_files(dir / "encoder.json", dir / "vocab.bpe"),
               DatasetError);
}

TEST(BpeTokenizer, FromDataRootSaysHowToGetTheFiles) {
  testing::TempDir root;
  try {
    (void)BpeTokenizer::from_data_root(root.path());
    FAIL() << "no error";
  } catch (const DatasetError& e) {
    EXPECT_NE(std::string(e.what()).find("comet data get gpt2-bpe"), std::string::npos);
  }
  fs::create_directories(root / "gpt2-bpe");
  for (const char* f : {"encoder.json", "vocab.bpe"}) {
    fs::copy_file(shared_data() / "gpt2-bpe" / f, root / "gpt2-bpe" / f);
  }
  auto tokenizer = BpeTokenizer::from_data_root(root.path());
  EXPECT_EQ(tokenizer.checksum(), gpt2().checksum());
}

}  // namespace
}  // namespace comet::datasets
