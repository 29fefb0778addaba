#include "text/byte_level.h"

#include <array>

namespace comet::datasets {
namespace {

bool stands_for_itself(int b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

const std::array<char32_t, 256>& char_of_byte() {
  static const std::array<char32_t, 256> table = [] {
    std::array<char32_t, 256> t{};
    char32_t next = 0x100;
    for (int b = 0; b < 256; ++b) t[b] = stands_for_itself(b) ? static_cast<char32_t>(b) : next++;
    return t;
  }();
  return table;
}

// Code points 0..0x143 -> the byte they stand for, or -1.
const std::array<int, 0x144>& byte_of_char() {
  static const std::array<int, 0x144> table = [] {
    std::array<int, 0x144> t{};
    t.fill(-1);
    for (int b = 0; b < 256; ++b) t[char_of_byte()[b]] = b;
    return t;
  }();
  return table;
}

}  // namespace

char32_t byte_level_char(std::uint8_t byte) { return char_of_byte()[byte]; }

std::string bytes_from_byte_level(std::string_view text) {
  std::string bytes;
  const auto& table = byte_of_char();
  for (std::size_t i = 0; i < text.size();) {
    // The alphabet lies below U+0800: one- and two-byte UTF-8 sequences only.
    const auto b0 = static_cast<unsigned char>(text[i]);
    char32_t cp = 0;
    if (b0 < 0x80) {
      cp = b0, i += 1;
    } else if ((b0 & 0xE0) == 0xC0 && i + 1 < text.size() &&
               (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
      cp = ((b0 & 0x1F) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F), i += 2;
    } else {
      return "";
    }
    if (cp >= table.size() || table[cp] < 0) return "";
    bytes += static_cast<char>(table[cp]);
  }
  return bytes;
}

}  // namespace comet::datasets
