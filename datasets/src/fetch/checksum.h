#pragma once
// Private to datasets/. Digests of bytes, and the MD5s a Debian package recorded for its files.
// (md5_of_file and sha256_of_file are public: comet/datasets/fetch.h.)

#include <filesystem>
#include <string>
#include <string_view>

namespace comet::datasets {

// Lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

// The MD5 dpkg recorded for `file` in `md5sums` (lines "<md5>  <path without leading />"), or
// "" when the list or the line is not there.
std::string package_md5(const std::filesystem::path& md5sums, const std::filesystem::path& file);

}  // namespace comet::datasets
