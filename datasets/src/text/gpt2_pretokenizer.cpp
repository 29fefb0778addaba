#include "text/gpt2_pretokenizer.h"

#include <unicode/uchar.h>

#include <vector>

namespace comet::datasets {
namespace {

constexpr char32_t kCodePoints = 0x110000;

// JavaScript's \s (ECMA-262 WhiteSpace and LineTerminator): differs from Unicode's White_Space
// in U+FEFF (in) and U+0085 (out).
bool is_js_space(char32_t cp) {
  switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

CharClass classify(char32_t cp) {
  if (is_js_space(cp)) return CharClass::space;
  switch (u_charType(static_cast<UChar32>(cp))) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
      return CharClass::letter;
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
      return CharClass::number;
    default:
      return CharClass::other;
  }
}

// One byte per code point, filled once: a table lookup is several times faster than ICU's
// trie walk per character, which is what the tokenizer does most.
const std::vector<CharClass>& class_table() {
  static const std::vector<CharClass> table = [] {
    std::vector<CharClass> t(kCodePoints);
    for (char32_t cp = 0; cp < kCodePoints; ++cp) t[cp] = classify(cp);
    return t;
  }();
  return table;
}

struct Decoded {
  char32_t cp;
  std::size_t length;
  CharClass cls;
};

// The code point at `pos`; an invalid or truncated sequence (or a surrogate, an overlong form)
// is one byte of class `other`.
Decoded decode_at(std::string_view text, std::size_t pos, const std::vector<CharClass>& table) {
  const auto b0 = static_cast<unsigned char>(text[pos]);
  if (b0 < 0x80) return {b0, 1, table[b0]};
  const Decoded invalid{b0, 1, CharClass::other};
  std::size_t length = 0;
  char32_t cp = 0, min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return invalid;
  }
  if (pos + length > text.size()) return invalid;
  for (std::size_t i = 1; i < length; ++i) {
    const auto b = static_cast<unsigned char>(text[pos + i]);
    if ((b & 0xC0) != 0x80) return invalid;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp >= kCodePoints || (cp >= 0xD800 && cp <= 0xDFFF)) return invalid;
  return {cp, length, table[cp]};
}

// The end of the run of characters of class `cls` starting at `pos`.
std::size_t run_end(std::string_view text, std::size_t pos, CharClass cls,
                    const std::vector<CharClass>& table) {
  while (pos < text.size()) {
    const auto d = decode_at(text, pos, table);
    if (d.cls != cls) break;
    pos += d.length;
  }
  return pos;
}

// 's 't 're 've 'm 'll 'd (lowercase only, as the pattern): the contraction's length, or 0.
std::size_t contraction_length(std::string_view text, std::size_t pos) {
  const auto rest = text.substr(pos + 1);
  if (rest.empty()) return 0;
  const char c = rest[0];
  if (c == 's' || c == 't' || c == 'm' || c == 'd') return 2;
  if (rest.size() >= 2) {
    const auto two = rest.substr(0, 2);
    if (two == "re" || two == "ve" || two == "ll") return 3;
  }
  return 0;
}

}  // namespace

CharClass char_class(char32_t cp) { return class_table()[cp]; }

std::size_t gpt2_piece_end(std::string_view text, std::size_t pos) {
  const auto& table = class_table();
  if (text[pos] == '\'') {
    if (const auto n = contraction_length(text, pos); n > 0) return pos + n;
  }
  const auto first = decode_at(text, pos, table);
  // " ?\p{L}+", " ?\p{N}+", " ?[^\s\p{L}\p{N}]+": one ASCII space joins the run after it.
  if (first.cp == ' ' && pos + 1 < text.size()) {
    const auto next = decode_at(text, pos + 1, table);
    if (next.cls != CharClass::space) return run_end(text, pos + 1, next.cls, table);
  }
  if (first.cls != CharClass::space) return run_end(text, pos, first.cls, table);
  // "\s+(?!\S)": a whitespace run up to the end of the text, or all of it but its last
  // character when something follows (that character then starts the next piece, e.g. the
  // space of " word"); "\s+": a single whitespace character before something else.
  std::size_t end = pos, last_start = pos;
  while (end < text.size()) {
    const auto d = decode_at(text, end, table);
    if (d.cls != CharClass::space) break;
    last_start = end;
    end += d.length;
  }
  if (end == text.size() || last_start == pos) return end;
  return last_start;
}

}  // namespace comet::datasets
