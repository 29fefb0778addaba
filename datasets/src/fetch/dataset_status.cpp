// inspect_dataset: where a reader would find an entry's files, and whether the publisher's files
// match their checksums.

#include <system_error>

#include "fetch/checksum.h"

#include "comet/datasets/fetch.h"

namespace comet::datasets {
namespace {

namespace fs = std::filesystem;

// A name ending in '/' is a folder; anything else a regular file.
bool exists_as(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  if (!name.empty() && name.back() == '/') return fs::is_directory(dir / name, ec);
  return fs::is_regular_file(dir / name, ec);
}

struct Found {
  fs::path path;
  std::size_t dir_index = 0;
};

Found find_in(const std::vector<fs::path>& dirs, const std::vector<std::string>& names) {
  for (std::size_t d = 0; d < dirs.size(); ++d) {
    for (const auto& name : names) {
      if (exists_as(dirs[d], name)) return {dirs[d] / name, d};
    }
  }
  return {};
}

}  // namespace

std::string checksum_algorithm(const DownloadFile& download) {
  return download.sha256.empty() ? "MD5" : "SHA-256";
}

std::string expected_checksum(const DownloadFile& download) {
  return download.sha256.empty() ? download.md5 : download.sha256;
}

std::string checksum_of_file(const DownloadFile& download, const fs::path& path) {
  return download.sha256.empty() ? md5_of_file(path) : sha256_of_file(path);
}

std::string_view to_string(ChecksumState state) {
  switch (state) {
    case ChecksumState::match:
      return "match";
    case ChecksumState::mismatch:
      return "mismatch";
    case ChecksumState::missing:
      return "missing";
    case ChecksumState::no_checksum:
      return "no published checksum";
  }
  return "missing";
}

std::string_view to_string(DatasetState state) {
  switch (state) {
    case DatasetState::verified:
      return "verified";
    case DatasetState::present:
      return "present";
    case DatasetState::missing:
      return "missing";
    case DatasetState::not_applicable:
      return "n/a";
  }
  return "missing";
}

DatasetStatus inspect_dataset(const DatasetEntry& entry, const fs::path& data_root) {
  DatasetStatus status;
  status.name = entry.name;
  status.folder = data_root / entry.name;
  if (entry.files.empty()) {
    status.state = DatasetState::not_applicable;
    return status;
  }
  const auto dirs = search_dirs(entry, data_root);
  // The system copies' folders come after the data root's one or two.
  const std::size_t root_dirs = dirs.size() - entry.system_copies.size();
  auto source_of = [&](std::size_t dir_index) -> std::string {
    if (dir_index < root_dirs) return "data root";
    return "Debian package " + entry.system_copies[dir_index - root_dirs].package;
  };

  bool all_present = true;
  for (const auto& expected : entry.files) {
    const auto found = find_in(dirs, expected.names);
    status.files.push_back({expected.names.front(), found.path});
    if (found.path.empty()) {
      all_present = false;
    } else if (status.location.empty()) {
      status.location = dirs[found.dir_index];
      status.source = source_of(found.dir_index);
    }
  }

  bool any_checksum = false, all_match = true;
  for (const auto& download : entry.downloads) {
    ChecksumCheck check;
    check.file = download.file_name;
    check.expected = expected_checksum(download);
    check.algorithm = checksum_algorithm(download);
    check.authority = "publisher";
    const auto found = find_in(dirs, {download.file_name});
    check.path = found.path;
    if (!found.path.empty() && found.dir_index >= root_dirs) {
      // A distribution's copy: its bytes may differ from the publisher's (Debian recompresses
      // the .gz files), so the package manager's own record is the reference.
      const auto& copy = entry.system_copies[found.dir_index - root_dirs];
      if (auto recorded = package_md5(copy.md5sums, found.path); !recorded.empty()) {
        check.expected = recorded;
        check.algorithm = "MD5";
        check.authority = "Debian package " + copy.package;
      }
    }
    if (check.expected.empty()) {
      check.state = found.path.empty() ? ChecksumState::missing : ChecksumState::no_checksum;
      // A file without a checksum neither verifies nor spoils verification.
    } else {
      any_checksum = true;
      if (found.path.empty()) {
        check.state = ChecksumState::missing;
      } else {
        check.actual = check.algorithm == "MD5" ? md5_of_file(found.path)
                                                : checksum_of_file(download, found.path);
        check.state =
            check.actual == check.expected ? ChecksumState::match : ChecksumState::mismatch;
      }
      all_match = all_match && check.state == ChecksumState::match;
    }
    status.checksums.push_back(std::move(check));
  }

  if (!all_present) {
    status.state = DatasetState::missing;
  } else if (any_checksum && all_match) {
    status.state = DatasetState::verified;
  } else {
    status.state = DatasetState::present;
  }
  return status;
}

}  // namespace comet::datasets
