// corpus_tokens: tokenize once, then read nanoGPT-style uint16 files keyed by both checksums.

#include "text/token_cache.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <system_error>

#include "fetch/checksum.h"

#include "comet/datasets/dataset.h"

namespace comet::datasets {
namespace {

namespace fs = std::filesystem;

const std::array<const char*, 3> kFileNames = {"train.bin", "val.bin", "test.bin"};

std::string key_text(const CorpusText& corpus, const BpeTokenizer& tokenizer) {
  return "corpus " + corpus.checksum + "\ntokenizer " + tokenizer.checksum() + "\n";
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

bool read_cache(const fs::path& dir, const std::string& key, CorpusTokens& tokens) {
  std::error_code ec;
  if (!fs::is_regular_file(dir / "key.txt", ec) || slurp(dir / "key.txt") != key) return false;
  for (int part = 0; part < 3; ++part) {
    const auto bytes = slurp(dir / kFileNames[part]);
    if (bytes.size() % 2 != 0 || !fs::is_regular_file(dir / kFileNames[part], ec)) return false;
    auto& ids = tokens.ids[part];
    ids.resize(bytes.size() / 2);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      ids[i] = static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[2 * i]) |
                                          (static_cast<unsigned char>(bytes[2 * i + 1]) << 8));
    }
  }
  return true;
}

// Written to a fresh folder beside the final one, then renamed into place: a reader never sees
// half a cache, and two processes writing the same one both end with a whole one.
void write_cache(const fs::path& dir, const std::string& key, const CorpusTokens& tokens) {
  std::error_code ec;
  const auto staging = fs::path(dir.string() + ".tmp-" + std::to_string(::getpid()));
  fs::remove_all(staging, ec);
  if (!fs::create_directories(staging, ec) || ec) return;
  for (int part = 0; part < 3; ++part) {
    std::string bytes(tokens.ids[part].size() * 2, '\0');
    for (std::size_t i = 0; i < tokens.ids[part].size(); ++i) {
      bytes[2 * i] = static_cast<char>(tokens.ids[part][i] & 0xFF);
      bytes[2 * i + 1] = static_cast<char>(tokens.ids[part][i] >> 8);
    }
    std::ofstream(staging / kFileNames[part], std::ios::binary) << bytes;
  }
  std::ofstream(staging / "key.txt", std::ios::binary) << key;
  fs::remove_all(dir, ec);
  fs::rename(staging, dir, ec);
  if (ec) fs::remove_all(staging, ec);
}

}  // namespace

void append_ids(BpeTokenizer& tokenizer, std::string_view text, std::vector<std::uint16_t>& out,
                std::size_t chunk_bytes) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t cut = text.size();
    if (text.size() - start > chunk_bytes) {
      // After "\n" and before a printable ASCII character the pattern always starts a new
      // piece: whitespace runs end before a non-space, and only ' ' joins what follows it.
      for (std::size_t p = start + chunk_bytes; p < text.size(); ++p) {
        if (text[p - 1] == '\n' && text[p] > ' ' && text[p] <= '~') {
          cut = p;
          break;
        }
      }
    }
    for (const auto id : tokenizer.encode(text.substr(start, cut - start))) {
      out.push_back(static_cast<std::uint16_t>(id));
    }
    start = cut;
  }
}

CorpusTokens corpus_tokens(const CorpusText& corpus, BpeTokenizer& tokenizer,
                           const fs::path& cache_root) {
  if (tokenizer.vocab_size() > 65536) {
    throw DatasetError("tokenizer of " + std::to_string(tokenizer.vocab_size()) +
                       " ids does not fit the uint16 token files; allowed: at most 65536");
  }
  const auto start = std::chrono::steady_clock::now();
  const auto key = key_text(corpus, tokenizer);
  CorpusTokens tokens;
  tokens.cache_dir = cache_root / sha256_hex(key).substr(0, 16);
  if (read_cache(tokens.cache_dir, key, tokens)) {
    tokens.from_cache = true;
  } else {
    for (int part = 0; part < 3; ++part) {
      auto& ids = tokens.ids[part];
      ids.clear();
      for (const auto& document : corpus.documents[part]) {
        append_ids(tokenizer, document, ids);
        tokens.text_bytes += document.size();
        if (corpus.end_of_text_after_each) {
          ids.push_back(static_cast<std::uint16_t>(tokenizer.end_of_text()));
        }
      }
    }
    write_cache(tokens.cache_dir, key, tokens);
  }
  tokens.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return tokens;
}

}  // namespace comet::datasets
