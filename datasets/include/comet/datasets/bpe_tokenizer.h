#pragma once
// GPT-2's byte-level BPE tokenizer (docs/tokenizer.md), read from the published encoder.json and
// vocab.bpe. torch-free. Text is split by GPT-2's pre-tokenizer pattern (implemented by hand,
// Unicode categories from ICU), each piece's UTF-8 bytes are merged by rank, and the ids are
// exactly those of OpenAI's encoder (checked against js-tiktoken's in tests/datasets/fixtures).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace comet::datasets {

class BpeTokenizer {
 public:
  // Reads both files; DatasetError naming the file and the problem when one is unreadable or
  // malformed (a merge whose parts or result are not in the vocabulary, a byte without a token).
  static BpeTokenizer from_files(const std::filesystem::path& encoder_json,
                                 const std::filesystem::path& vocab_bpe);
  // The files of the data root's gpt2-bpe/ folder (`comet data get gpt2-bpe`), found through
  // the catalog's search folders; DatasetError saying how to get them when they are missing.
  static BpeTokenizer from_data_root(const std::filesystem::path& data_root);

  BpeTokenizer(BpeTokenizer&&) noexcept;
  BpeTokenizer& operator=(BpeTokenizer&&) noexcept;
  ~BpeTokenizer();

  // Ordinary text: "<|endoftext|>" in the text is encoded as the characters it is made of, as
  // tiktoken's encode_ordinary does. Any bytes are accepted (invalid UTF-8 too: byte-level).
  // Not safe to call from two threads at once on one tokenizer (the per-word cache).
  std::vector<std::int32_t> encode(std::string_view text);
  // The bytes of the ids, concatenated; DatasetError for an id outside [0, vocab_size()).
  std::string decode(std::span<const std::int32_t> ids) const;

  std::int64_t vocab_size() const;   // 50257 for GPT-2
  std::int32_t end_of_text() const;  // the id of "<|endoftext|>" (50256), between documents
  // SHA-256 over both files' SHA-256s: what token caches are keyed by.
  const std::string& checksum() const;

 private:
  struct Tables;
  explicit BpeTokenizer(std::unique_ptr<Tables> tables);
  std::unique_ptr<Tables> tables_;
};

}  // namespace comet::datasets
