#pragma once
// Every dataset comet knows: what its reader expects on disk and where the publisher's files come
// from (URL, archive kind, published MD5). torch-free; `comet data ls|verify|get` read it, and
// tests inject their own entries (every function takes a catalog or an entry).

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace comet::datasets {

// How a downloaded file becomes the files a reader expects.
enum class ArchiveKind {
  none,    // kept as downloaded (MNIST's .gz files: the IDX reader reads gzip itself)
  tar_gz,  // a gzip-compressed tar, unpacked into the dataset's folder
  zip,     // a zip, unpacked into the dataset's folder
  gz,      // one gzip-compressed file, decompressed to its name without ".gz"
};
std::string_view to_string(ArchiveKind kind);

// One file as the publisher serves it.
struct DownloadFile {
  std::string file_name;  // saved as <data root>/<dataset>/<file_name>; also the name on a mirror
  std::string url;        // the publisher's URL
  // Tried in order when `url` fails (yann.lecun.com often refuses scripts; torchvision lists
  // the same fallback); not used with --mirror.
  std::vector<std::string> fallback_urls;
  ArchiveKind archive = ArchiveKind::none;
  std::string md5;              // published MD5, lowercase hex; empty: no published checksum
  std::string checksum_source;  // where the MD5 is published, for docs and messages
  std::string unpacks_to;       // what the archive unpacks to ("cifar-10-batches-bin/"), if any
  // Published SHA-256, lowercase hex: when set it is what the file is checked against (and
  // `md5` is empty); `checksum_source` then names where the SHA-256 is published.
  std::string sha256;
};

// One file a reader needs, relative to the dataset's folder. The first name is the canonical one
// (what `comet data get` leaves); the others are accepted too (the raw IDX files, CIFAR batches
// copied without their folder). A name ending in '/' is a folder (Tiny ImageNet's train/).
struct ExpectedFile {
  std::vector<std::string> names;
};

// A copy installed by a system package, searched after the data root (as the reader does).
struct SystemCopy {
  std::filesystem::path dir;
  std::string package;  // e.g. "dataset-fashion-mnist"
  // dpkg's list of the package's file MD5s: files repacked by the distribution are checked
  // against it, because their bytes differ from the publisher's (Debian recompresses the .gz).
  std::filesystem::path md5sums;
};

struct DatasetEntry {
  std::string name;  // as in sweeps (`dataset: cifar10`)
  std::string description;
  std::string task;  // "classification, 10 classes", "regression, 7 outputs"
  std::vector<ExpectedFile> files;
  std::vector<DownloadFile> downloads;
  std::vector<SystemCopy> system_copies;
  std::string homepage;  // the publisher's page
  // Set when the dataset has no files at all (the user's CSV, generated data): why.
  std::string no_files_reason;
  // Set when the publisher does not allow automated download: where and how to get the files.
  std::string manual_download;
};

using DatasetCatalog = std::vector<DatasetEntry>;

// The catalog's one entry that is not a dataset: the GPT-2 tokenizer's encoder.json and
// vocab.bpe, fetched and verified like a dataset's files (the text corpora need them).
inline constexpr const char* kGpt2BpeEntry = "gpt2-bpe";

// The datasets comet's readers know (datasets/src/dataset_registry.cpp), in the same order, then
// the gpt2-bpe tokenizer files.
const DatasetCatalog& builtin_catalog();

// The entry called `name`; DatasetError (exit 2) listing the allowed names otherwise.
const DatasetEntry& find_entry(const DatasetCatalog& catalog, std::string_view name);

// The folders a reader searches for `entry`, in order: <root>/<name>, <root>/<name with '-'
// for '_'> when it differs, then the system copies' folders.
std::vector<std::filesystem::path> search_dirs(const DatasetEntry& entry,
                                               const std::filesystem::path& data_root);

}  // namespace comet::datasets
