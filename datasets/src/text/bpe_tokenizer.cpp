// BpeTokenizer: the tables of encoder.json and vocab.bpe in byte form, GPT-2's merge loop
// (lowest-ranked adjacent pair first, every occurrence of it left to right), a cache per piece.

#include "comet/datasets/bpe_tokenizer.h"

#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "fetch/checksum.h"
#include "text/byte_level.h"
#include "text/gpt2_pretokenizer.h"

#include "comet/datasets/catalog.h"
#include "comet/datasets/dataset.h"
#include "comet/datasets/fetch.h"

namespace comet::datasets {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEndOfText = "<|endoftext|>";
// Pieces cached before the cache is emptied: bounds memory on corpora with many distinct words
// (WikiText-103 has a few million) while keeping the hit rate of the frequent ones.
constexpr std::size_t kCacheLimit = 1 << 20;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DatasetError("tokenizer: cannot read " + path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::uint64_t pair_key(std::int32_t left, std::int32_t right) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) |
         static_cast<std::uint32_t>(right);
}

struct Merge {
  std::int32_t rank;
  std::int32_t result;
};

}  // namespace

struct BpeTokenizer::Tables {
  std::vector<std::string> token_bytes;                              // id -> its bytes
  std::unordered_map<std::string, std::int32_t> id_of;               // bytes -> id
  std::int32_t byte_token[256] = {};                                 // the id of each single byte
  std::unordered_map<std::uint64_t, Merge> merges;                   // (left id, right id) -> merge
  std::unordered_map<std::string, std::vector<std::int32_t>> cache;  // piece -> its ids
  std::int32_t end_of_text = -1;
  std::string checksum;

  void encode_piece(std::string_view piece, std::vector<std::int32_t>& out);
};

void BpeTokenizer::Tables::encode_piece(std::string_view piece, std::vector<std::int32_t>& out) {
  if (auto hit = cache.find(std::string(piece)); hit != cache.end()) {
    out.insert(out.end(), hit->second.begin(), hit->second.end());
    return;
  }
  std::vector<std::int32_t> word;
  word.reserve(piece.size());
  for (const char c : piece) word.push_back(byte_token[static_cast<unsigned char>(c)]);
  std::vector<std::int32_t> merged;
  while (word.size() > 1) {
    Merge best{std::numeric_limits<std::int32_t>::max(), -1};
    std::uint64_t best_pair = 0;
    for (std::size_t i = 0; i + 1 < word.size(); ++i) {
      const auto key = pair_key(word[i], word[i + 1]);
      if (auto m = merges.find(key); m != merges.end() && m->second.rank < best.rank) {
        best = m->second;
        best_pair = key;
      }
    }
    if (best.result < 0) break;
    merged.clear();
    for (std::size_t i = 0; i < word.size(); ++i) {
      if (i + 1 < word.size() && pair_key(word[i], word[i + 1]) == best_pair) {
        merged.push_back(best.result);
        ++i;
      } else {
        merged.push_back(word[i]);
      }
    }
    word.swap(merged);
  }
  out.insert(out.end(), word.begin(), word.end());
  if (cache.size() >= kCacheLimit) cache.clear();
  cache.emplace(piece, std::move(word));
}

BpeTokenizer::BpeTokenizer(std::unique_ptr<Tables> tables) : tables_(std::move(tables)) {}
BpeTokenizer::BpeTokenizer(BpeTokenizer&&) noexcept = default;
BpeTokenizer& BpeTokenizer::operator=(BpeTokenizer&&) noexcept = default;
BpeTokenizer::~BpeTokenizer() = default;

BpeTokenizer BpeTokenizer::from_files(const fs::path& encoder_json, const fs::path& vocab_bpe) {
  auto t = std::make_unique<Tables>();
  auto fail = [](const fs::path& file, const std::string& problem) {
    throw DatasetError("tokenizer file " + file.string() + ": " + problem);
  };
  nlohmann::json encoder;
  try {
    encoder = nlohmann::json::parse(read_file(encoder_json));
  } catch (const nlohmann::json::exception& e) {
    fail(encoder_json, std::string("not JSON: ") + e.what());
  }
  if (!encoder.is_object() || encoder.empty()) fail(encoder_json, "not a JSON object of ids");
  t->token_bytes.resize(encoder.size());
  for (const auto& [key, value] : encoder.items()) {
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
        value.get<std::int64_t>() >= static_cast<std::int64_t>(encoder.size())) {
      fail(encoder_json,
           "the id of '" + key + "' is not in 0.." + std::to_string(encoder.size() - 1));
    }
    const auto id = value.get<std::int32_t>();
    // The special token is stored as itself; every other key is in GPT-2's byte alphabet.
    auto bytes = key == kEndOfText ? key : bytes_from_byte_level(key);
    if (bytes.empty()) fail(encoder_json, "'" + key + "' is not in GPT-2's byte alphabet");
    if (key == kEndOfText) t->end_of_text = id;
    t->token_bytes[id] = bytes;
    if (!t->id_of.emplace(std::move(bytes), id).second) {
      fail(encoder_json, "two tokens with the bytes of '" + key + "'");
    }
  }
  if (t->end_of_text < 0) fail(encoder_json, std::string("no ") + kEndOfText + " token");
  for (int b = 0; b < 256; ++b) {
    const auto it = t->id_of.find(std::string(1, static_cast<char>(b)));
    if (it == t->id_of.end()) fail(encoder_json, "no token for byte " + std::to_string(b));
    t->byte_token[b] = it->second;
  }

  std::istringstream merges(read_file(vocab_bpe));
  std::string line;
  std::int32_t rank = 0;
  std::size_t line_number = 0;
  while (std::getline(merges, line)) {
    ++line_number;
    if (line.empty() || line.starts_with("#version")) continue;
    const auto where = vocab_bpe.string() + " line " + std::to_string(line_number);
    const auto gap = line.find(' ');
    if (gap == std::string::npos)
      fail(vocab_bpe, "line " + std::to_string(line_number) + " is not two tokens: '" + line + "'");
    const auto left = bytes_from_byte_level(line.substr(0, gap));
    const auto right = bytes_from_byte_level(line.substr(gap + 1));
    const auto l = t->id_of.find(left), r = t->id_of.find(right), m = t->id_of.find(left + right);
    if (left.empty() || right.empty() || l == t->id_of.end() || r == t->id_of.end() ||
        m == t->id_of.end()) {
      throw DatasetError("tokenizer file " + where + ": merge '" + line + "' names tokens that " +
                         encoder_json.string() + " does not have");
    }
    // The rank is the line's place among the merges (vocab.bpe lists each pair once).
    t->merges.emplace(pair_key(l->second, r->second), Merge{rank, m->second});
    ++rank;
  }
  if (rank == 0) fail(vocab_bpe, "no merges");
  t->checksum = sha256_hex(sha256_of_file(encoder_json) + sha256_of_file(vocab_bpe));
  return BpeTokenizer(std::move(t));
}

BpeTokenizer BpeTokenizer::from_data_root(const fs::path& data_root) {
  const auto& entry = find_entry(builtin_catalog(), kGpt2BpeEntry);
  std::string looked;
  for (const auto& dir : search_dirs(entry, data_root)) {
    const auto encoder = dir / "encoder.json", vocab = dir / "vocab.bpe";
    if (fs::is_regular_file(encoder) && fs::is_regular_file(vocab)) {
      return from_files(encoder, vocab);
    }
    looked += "\n  " + dir.string();
  }
  throw DatasetError("tokenizer gpt2-bpe: encoder.json and vocab.bpe are not in" + looked +
                     "\n(`comet data get gpt2-bpe` downloads them)");
}

std::vector<std::int32_t> BpeTokenizer::encode(std::string_view text) {
  std::vector<std::int32_t> ids;
  ids.reserve(text.size() / 3);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto end = gpt2_piece_end(text, pos);
    tables_->encode_piece(text.substr(pos, end - pos), ids);
    pos = end;
  }
  return ids;
}

std::string BpeTokenizer::decode(std::span<const std::int32_t> ids) const {
  std::string text;
  for (const auto id : ids) {
    if (id < 0 || id >= vocab_size()) {
      throw DatasetError("token id " + std::to_string(id) + " is outside the tokenizer's 0.." +
                         std::to_string(vocab_size() - 1));
    }
    text += tables_->token_bytes[id];
  }
  return text;
}

std::int64_t BpeTokenizer::vocab_size() const {
  return static_cast<std::int64_t>(tables_->token_bytes.size());
}

std::int32_t BpeTokenizer::end_of_text() const { return tables_->end_of_text; }

const std::string& BpeTokenizer::checksum() const { return tables_->checksum; }

}  // namespace comet::datasets
