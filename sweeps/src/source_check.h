#pragma once
// Checks of a sweep's raw bytes before YAML sees them: its size, and that it is UTF-8 text.
// yaml-cpp would read a NUL as the end of a value and pass invalid UTF-8 and control characters
// into values; a message here names the byte and where it is instead.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace comet::sweeps {

// Throws SweepError (at `source_name`, with line and column for a bad byte) when `text` is
// larger than kMaxSweepFileBytes, is UTF-16 or UTF-32 (a byte order mark), or holds a NUL byte,
// a control character other than tab, line feed and carriage return, or invalid UTF-8.
void check_sweep_bytes(std::string_view text, std::string_view source_name);

// "the sweep file has N bytes, more than ..." (size nullopt: a file read up to the limit).
std::string too_large_message(std::optional<std::size_t> size);

}  // namespace comet::sweeps
