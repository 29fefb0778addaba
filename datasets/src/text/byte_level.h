#pragma once
// Private to datasets/. GPT-2's byte alphabet (encoder.py's bytes_to_unicode): each of the 256
// bytes is a printable code point, so that encoder.json and vocab.bpe can be text. The
// printable bytes '!'..'~', U+00A1..U+00AC and U+00AE..U+00FF stand for themselves; the other
// 68 bytes, in order, become U+0100, U+0101, ...

#include <cstdint>
#include <string>
#include <string_view>

namespace comet::datasets {

// The code point that stands for `byte`.
char32_t byte_level_char(std::uint8_t byte);

// The bytes a string in GPT-2's alphabet stands for; "" when it holds a code point outside the
// alphabet (or is not UTF-8).
std::string bytes_from_byte_level(std::string_view text);

}  // namespace comet::datasets
