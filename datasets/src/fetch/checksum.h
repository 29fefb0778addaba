#pragma once
// Private to datasets/. MD5 of files, and the MD5s a Debian package recorded for its files.

#include <filesystem>
#include <string>

namespace comet::datasets {

// The MD5 dpkg recorded for `file` in `md5sums` (lines "<md5>  <path without leading />"), or
// "" when the list or the line is not there.
std::string package_md5(const std::filesystem::path& md5sums, const std::filesystem::path& file);

}  // namespace comet::datasets
