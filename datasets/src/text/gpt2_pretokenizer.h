#pragma once
// Private to datasets/. GPT-2's pre-tokenizer: the pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// implemented by hand over UTF-8 (std::regex is far too slow and knows no \p{L}). Letters and
// numbers are ICU's general categories; \s is JavaScript's (js-tiktoken is the reference).

#include <cstddef>
#include <string_view>

namespace comet::datasets {

enum class CharClass : unsigned char { letter, number, space, other };

// The class of a code point (0 <= cp <= 0x10FFFF).
CharClass char_class(char32_t cp);

// The byte offset where the piece starting at `pos` ends (pos < text.size()). Bytes that are
// not valid UTF-8 count as one-byte characters of class `other`, so that every byte lands in
// exactly one piece.
std::size_t gpt2_piece_end(std::string_view text, std::size_t pos);

}  // namespace comet::datasets
