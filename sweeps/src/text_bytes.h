#pragma once
// Bytes of hostile input: UTF-8 validity, control characters, and text safe to print in a
// message (a value from a sweep file must not move a terminal's cursor or fill the screen).

#include <cstddef>
#include <string>
#include <string_view>

namespace comet::sweeps {

// The offset of the first byte of `text` that does not start a well-formed UTF-8 sequence
// (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF), or npos.
std::size_t invalid_utf8_at(std::string_view text);

// C0 controls and DEL.
constexpr bool is_control_byte(unsigned char byte) { return byte < 0x20 || byte == 0x7f; }

// `text` with control characters and bytes of invalid UTF-8 written as \xNN; at most
// `max_bytes` of it (cut at a character boundary, then "..." and its length in bytes).
std::string printable(std::string_view text, std::size_t max_bytes = std::string_view::npos);

// printable() for a value echoed in a message: at most 80 bytes of it.
std::string excerpt(std::string_view text);

}  // namespace comet::sweeps
