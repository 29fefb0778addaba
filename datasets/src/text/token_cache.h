#pragma once
// Private to datasets/. A corpus's token ids, tokenized once and cached on disk as nanoGPT's
// .bin files (little-endian uint16, one file per split) under
//   <data root>/<corpus>/tokens/<key>/{train,val,test}.bin
// where <key> is the first 16 hex digits of SHA-256(corpus checksum, tokenizer checksum); the
// folder's key.txt holds both checksums in full and is compared before the cache is used.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "text/text_corpora.h"

#include "comet/datasets/bpe_tokenizer.h"

namespace comet::datasets {

struct CorpusTokens {
  std::array<std::vector<std::uint16_t>, 3> ids;  // train, validation, test
  bool from_cache = false;
  std::filesystem::path cache_dir;  // where the .bin files are (or would be: unwritable root)
  double seconds = 0;               // reading the cache, or tokenizing and writing it
  std::uint64_t text_bytes = 0;     // bytes tokenized (0 when read from the cache)
};

// The ids of `corpus` as `tokenizer` gives them: from the cache in `cache_root` when its key
// matches, else tokenized (documents followed by <|endoftext|> when the corpus says so) and
// written there. A cache that cannot be written is skipped (the ids are still returned); one
// that is damaged (a size not a multiple of 2) is tokenized again.
CorpusTokens corpus_tokens(const CorpusText& corpus, BpeTokenizer& tokenizer,
                           const std::filesystem::path& cache_root);

// Appends the ids of `text` to `out`, encoding it in pieces of a few MiB cut where the pattern
// always ends a piece (after "\n" before a printable ASCII character), so that a 500 MB file
// never needs its int32 ids all at once. The ids are those of encoding `text` whole.
void append_ids(BpeTokenizer& tokenizer, std::string_view text, std::vector<std::uint16_t>& out,
                std::size_t chunk_bytes = 4 << 20);

}  // namespace comet::datasets
