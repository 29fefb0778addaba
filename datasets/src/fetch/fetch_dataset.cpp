// fetch_dataset: what is missing or damaged of a dataset is downloaded, checked, unpacked.

#include <cstdio>
#include <ostream>
#include <system_error>

#include "fetch/http_download.h"
#include "fetch/unpack.h"

#include "comet/datasets/dataset.h"
#include "comet/datasets/fetch.h"

namespace comet::datasets {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> urls_of(const DownloadFile& d, const FetchOptions& options) {
  if (!options.mirror.empty()) {
    auto base = options.mirror;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return {base + "/" + d.file_name};
  }
  std::vector<std::string> urls = {d.url};
  urls.insert(urls.end(), d.fallback_urls.begin(), d.fallback_urls.end());
  return urls;
}

std::string size_text(const fs::path& p) {
  std::error_code ec;
  const auto bytes = fs::file_size(p, ec);
  if (ec) return "?";
  char text[32];
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  const double kib = static_cast<double>(bytes) / 1024.0;
  if (kib < 1024) {
    std::snprintf(text, sizeof(text), "%.1f KiB", kib);
  } else {
    std::snprintf(text, sizeof(text), "%.1f MiB", kib / 1024.0);
  }
  return text;
}

// rename() that reports failure as a storage error.
void move_file(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) throw FetchError("cannot rename " + from.string() + " to " + to.string());
}

// Downloads `d` to <folder>/<file>, checking its SHA-256 or MD5. Returns the one log line's
// details.
std::string download_one(const DatasetEntry& entry, const DownloadFile& d, const fs::path& folder,
                         const FetchOptions& options, std::ostream& log) {
  const auto target = folder / d.file_name;
  const auto part = folder / (d.file_name + ".part");
  const auto bad = folder / (d.file_name + ".bad");
  const auto url = download_to_part(urls_of(d, options), part, d.file_name, options, log);
  std::string detail = size_text(part) + " from " + url;
  const auto expected = expected_checksum(d), algorithm = checksum_algorithm(d);
  if (expected.empty()) {
    detail += ", no published checksum";
  } else {
    const auto actual = checksum_of_file(d, part);
    if (actual != expected) {
      // Kept for inspection rather than deleted, and renamed so that the next run does not
      // resume a download that cannot become right.
      std::error_code ec;
      fs::remove(bad, ec);
      move_file(part, bad);
      throw DatasetError("dataset '" + entry.name + "': " + d.file_name + " from " + url + " has " +
                         algorithm + " " + actual + ", expected " + expected + " (" +
                         d.checksum_source + "); kept as " + bad.string() +
                         " (delete it; `comet data get` starts the download again)");
    }
    detail += ", " + algorithm + " " + actual + " matches";
  }
  move_file(part, target);
  return detail;
}

}  // namespace

FetchReport fetch_dataset(const DatasetEntry& entry, const fs::path& data_root,
                          const FetchOptions& options, std::ostream& log) {
  FetchReport report;
  report.status = inspect_dataset(entry, data_root);
  const auto& status = report.status;
  if (status.state == DatasetState::not_applicable) {
    report.outcome = FetchOutcome::nothing_to_download;
    return report;
  }
  if (status.state == DatasetState::verified) {
    report.outcome = FetchOutcome::already_verified;
    return report;
  }
  bool any_mismatch = false;
  for (const auto& check : status.checksums) {
    any_mismatch = any_mismatch || check.state == ChecksumState::mismatch;
  }
  // The reader's files are all there and nothing contradicts a checksum: unverifiable (no
  // published checksum, or the archive was deleted after unpacking), but usable.
  if (status.state == DatasetState::present && !any_mismatch) {
    report.outcome = FetchOutcome::already_present;
    return report;
  }
  if (!entry.manual_download.empty() || entry.downloads.empty()) {
    throw DatasetError(
        "dataset '" + entry.name + "' cannot be downloaded by comet; " +
        (entry.manual_download.empty() ? "see " + entry.homepage : entry.manual_download));
  }

  const auto folder = status.folder;
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw FetchError("cannot create " + folder.string() + ": " + ec.message());

  for (std::size_t i = 0; i < entry.downloads.size(); ++i) {
    const auto& d = entry.downloads[i];
    const auto& check = status.checksums[i];
    std::string detail;
    fs::path archive = check.path;
    const bool usable = check.state == ChecksumState::match ||
                        (check.state == ChecksumState::no_checksum && !check.path.empty());
    if (!usable) {
      std::string replaced;
      if (check.state == ChecksumState::mismatch && check.path.parent_path() == folder) {
        move_file(check.path, folder / (d.file_name + ".bad"));
        replaced = " (replaced a copy with " + check.algorithm + " " + check.actual + ", kept as " +
                   d.file_name + ".bad)";
      }
      detail = download_one(entry, d, folder, options, log) + replaced;
      archive = folder / d.file_name;
    } else if (d.archive == ArchiveKind::none) {
      continue;  // already there and fine
    } else {
      detail = "already downloaded";
    }
    if (d.archive != ArchiveKind::none) {
      // Unpacked next to the archive, which is kept: its MD5 is what `data verify` checks.
      const auto written = unpack_archive(archive, d.archive, archive.parent_path());
      detail += ", unpacked " + std::to_string(written.size()) +
                (written.size() == 1 ? " entry" : " entries");
    }
    log << entry.name << ": " << d.file_name << ": " << detail << "\n" << std::flush;
  }

  report.status = inspect_dataset(entry, data_root);
  if (report.status.state == DatasetState::missing) {
    std::string missing;
    for (const auto& f : report.status.files) {
      if (f.found.empty()) missing += (missing.empty() ? "" : ", ") + f.name;
    }
    throw DatasetError("dataset '" + entry.name + "': the downloaded files do not hold " + missing +
                       " (looked in " + folder.string() + ")");
  }
  report.outcome = FetchOutcome::downloaded;
  return report;
}

}  // namespace comet::datasets
