#include "source_check.h"

#include <fmt/format.h>

#include <string>

#include "text_bytes.h"

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

constexpr std::string_view kWhatIsAllowed = "a sweep file is YAML text in UTF-8";

// 1-based line and column of text[offset]; columns count characters, as yaml-cpp's marks do.
SourceMark mark_of(std::string_view text, std::size_t offset, std::string_view source_name) {
  SourceMark mark{.file = std::string(source_name), .line = 1, .column = 1};
  for (std::size_t i = 0; i < offset; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\n') {
      ++mark.line;
      mark.column = 1;
    } else if ((byte & 0xc0) != 0x80) {  // not a UTF-8 continuation byte
      ++mark.column;
    }
  }
  return mark;
}

std::string_view unicode_bom(std::string_view text) {
  // UTF-32 first: its little-endian mark starts with UTF-16's.
  if (text.starts_with(std::string_view("\xff\xfe\0\0", 4))) return "UTF-32";
  if (text.starts_with(std::string_view("\0\0\xfe\xff", 4))) return "UTF-32";
  if (text.starts_with("\xff\xfe") || text.starts_with("\xfe\xff")) return "UTF-16";
  return {};
}

}  // namespace

std::string too_large_message(std::optional<std::size_t> size) {
  return fmt::format(
      "the sweep file has {}more than the {} bytes (1 MiB) a sweep file may have; "
      "is it the right file?",
      size ? fmt::format("{} bytes, ", *size) : "", kMaxSweepFileBytes);
}

void check_sweep_bytes(std::string_view text, std::string_view source_name) {
  if (text.size() > kMaxSweepFileBytes) {
    throw SweepError(SourceMark{.file = std::string(source_name)}, too_large_message(text.size()));
  }
  if (std::string_view encoding = unicode_bom(text); !encoding.empty()) {
    throw SweepError(SourceMark{.file = std::string(source_name), .line = 1, .column = 1},
                     fmt::format("the sweep file is {} (it starts with a byte order mark); {}: "
                                 "save it as UTF-8",
                                 encoding, kWhatIsAllowed));
  }
  // The first bad byte is the one reported, whichever kind it is.
  const std::size_t bad_utf8 = invalid_utf8_at(text);
  for (std::size_t i = 0; i < text.size() && i < bad_utf8; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == 0) {
      throw SweepError(mark_of(text, i, source_name),
                       fmt::format("the sweep file holds a NUL byte (is it a binary file?); {}",
                                   kWhatIsAllowed));
    }
    if (is_control_byte(byte) && byte != '\t' && byte != '\n' && byte != '\r') {
      throw SweepError(mark_of(text, i, source_name),
                       fmt::format("the sweep file holds the control character 0x{:02x}; {} "
                                   "(tabs and line breaks are the only control characters "
                                   "allowed)",
                                   byte, kWhatIsAllowed));
    }
  }
  if (bad_utf8 != std::string_view::npos) {
    throw SweepError(mark_of(text, bad_utf8, source_name),
                     fmt::format("the sweep file holds the byte 0x{:02x}, which is not UTF-8 "
                                 "here (is it Latin-1 or a binary file?); {}",
                                 static_cast<unsigned char>(text[bad_utf8]), kWhatIsAllowed));
  }
}

}  // namespace comet::sweeps
