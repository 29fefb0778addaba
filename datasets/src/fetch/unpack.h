#pragma once
// Private to datasets/. Unpacking a downloaded archive with libarchive.

#include <filesystem>
#include <string>
#include <vector>

#include "comet/datasets/catalog.h"

namespace comet::datasets {

// Unpacks `archive` into `dest` (tar.gz, zip: every entry at dest/<entry path>; gz: the one file
// to dest/<archive name without ".gz">). Every entry is checked before anything is written: an
// absolute path, a ".." component, a link or a device makes it a DatasetError naming the entry.
// A corrupt archive is a DatasetError; a file that cannot be written, a FetchError. Returns the
// paths written, relative to dest. ArchiveKind::none unpacks nothing.
std::vector<std::string> unpack_archive(const std::filesystem::path& archive, ArchiveKind kind,
                                        const std::filesystem::path& dest);

}  // namespace comet::datasets
