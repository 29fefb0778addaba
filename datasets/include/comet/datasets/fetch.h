#pragma once
// What is on disk for a catalog entry (inspect_dataset), and fetching the publisher's files into
// the data root (fetch_dataset): libcurl with resume and retries, MD5 check, libarchive unpack.
// torch-free. Errors: DatasetError (exit 2) for unknown names, bad checksums and unusable
// archives; FetchError (exit 3) when the bytes cannot be had (network after retries, HTTP 4xx)
// or cannot be written (the data root).

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "comet/datasets/catalog.h"

namespace comet::datasets {

class FetchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Lowercase hex MD5 of a file's bytes (OpenSSL EVP). DatasetError if it cannot be read.
std::string md5_of_file(const std::filesystem::path& path);
// Lowercase hex SHA-256 of a file's bytes. DatasetError if it cannot be read.
std::string sha256_of_file(const std::filesystem::path& path);

struct ExpectedFileStatus {
  std::string name;             // the canonical name (ExpectedFile::names[0])
  std::filesystem::path found;  // where it was found; empty: missing
};

enum class ChecksumState { match, mismatch, missing, no_checksum };
std::string_view to_string(ChecksumState state);

// One publisher file checked against its published SHA-256 or MD5 (or, for a system package's
// copy, the MD5 the package manager recorded for it).
struct ChecksumCheck {
  std::string file;            // DownloadFile::file_name
  std::filesystem::path path;  // where it was found; empty: missing
  std::string expected;        // empty with no_checksum
  std::string actual;          // empty unless the file was read
  std::string authority;       // "publisher" or "Debian package <name>"
  ChecksumState state = ChecksumState::missing;
  std::string algorithm = "MD5";  // or "SHA-256" (DownloadFile::sha256 set)
};

// The digest of `path` that `download` is checked with: SHA-256 when it has one, else MD5.
std::string checksum_of_file(const DownloadFile& download, const std::filesystem::path& path);
// "SHA-256" or "MD5", and the expected value ("" when none is published).
std::string checksum_algorithm(const DownloadFile& download);
std::string expected_checksum(const DownloadFile& download);

// verified: every file the reader needs is there and every publisher file with a checksum is
// there and matches. present: the reader's files are there, but not all could be verified.
// missing: some file the reader needs is not there. not_applicable: no files (csv, generated).
enum class DatasetState { verified, present, missing, not_applicable };
std::string_view to_string(DatasetState state);

struct DatasetStatus {
  std::string name;
  DatasetState state = DatasetState::missing;
  std::filesystem::path folder;  // <data root>/<name>: where `comet data get` puts the files
  std::vector<ExpectedFileStatus> files;
  std::vector<ChecksumCheck> checksums;
  std::filesystem::path location;  // the folder the reader's files were found in (first found)
  std::string source;              // "data root", "Debian package <name>", or "" when missing
};

// Looks for the entry's files where the reader does (search_dirs) and checks every publisher
// file found (SHA-256 or MD5). Reads only.
DatasetStatus inspect_dataset(const DatasetEntry& entry, const std::filesystem::path& data_root);

struct FetchOptions {
  std::string mirror;   // non-empty: fetch <mirror>/<file name> instead of the publisher's URLs
  int max_retries = 5;  // transient failures (connection, timeout, HTTP 5xx) retried per URL
  // Wait before retry k (1-based): retry_delay * 2^(k-1). Tests pass a millisecond.
  std::chrono::milliseconds retry_delay{1000};
  long connect_timeout_s = 30;
  long stall_timeout_s = 60;          // abort (and retry) a transfer slower than 1 byte/s this long
  bool progress_is_terminal = false;  // a live progress line on `log` (isatty(stderr))
};

enum class FetchOutcome {
  downloaded,           // something was fetched (or unpacked again) and the result checks
  already_verified,     // present and verified before: nothing fetched
  already_present,      // present, nothing to verify it against (no published checksum)
  nothing_to_download,  // csv, synthetic_clusters
};

struct FetchReport {
  FetchOutcome outcome = FetchOutcome::downloaded;
  DatasetStatus status;  // after the fetch
};

// Fetches what is missing of `entry` into <data_root>/<name>/: each publisher file to
// <file>.part (resuming an existing .part with a Range request), MD5 against the published one
// (a mismatch renames the .part to <file>.bad and throws DatasetError with both MD5s), then the
// archive is unpacked into the folder (entries with absolute paths, "..", links or devices are
// refused before anything is written) and kept beside it, for `comet data verify`.
// One line per file on `log` (plus a live progress line when options.progress_is_terminal).
FetchReport fetch_dataset(const DatasetEntry& entry, const std::filesystem::path& data_root,
                          const FetchOptions& options, std::ostream& log);

}  // namespace comet::datasets
