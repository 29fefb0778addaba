#pragma once
// `comet data ls | verify | get | tokenize` (docs/commands/data.md): the dataset catalog, the files
// on disk, the publishers' checksums and downloads. Like every command, a function over a params
// struct; tests inject their own catalog (null: the built-in one).

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <string>

#include "comet/cli/table_printer.h"
#include "comet/datasets/catalog.h"

namespace comet::cli {

struct DataLsParams {
  std::filesystem::path data_root;  // empty: COMET_DATA or the XDG cache folder
  OutputFormat format = OutputFormat::table;
  const datasets::DatasetCatalog* catalog = nullptr;
};
// One row per dataset: status (verified, present, missing, n/a), its files, checksums, where
// they were found. Reads only.
int data_ls_command(const DataLsParams& params, std::ostream& out);

struct DataVerifyParams {
  std::string name;
  std::filesystem::path data_root;
  const datasets::DatasetCatalog* catalog = nullptr;
};
// One row per publisher file (match, mismatch, missing, no published checksum) to `out`; 0 when
// nothing mismatches or is missing, else a DatasetError (exit 2) naming each bad file with its
// expected and actual MD5.
int data_verify_command(const DataVerifyParams& params, std::ostream& out);

struct DataGetParams {
  std::string name;
  std::filesystem::path data_root;
  std::string mirror;                 // non-empty: <mirror>/<file name> instead of the publisher
  bool progress_is_terminal = false;  // set by main from isatty(stderr)
  std::chrono::milliseconds retry_delay{1000};  // doubled per retry; tests shorten it
  const datasets::DatasetCatalog* catalog = nullptr;
};
// Downloads, checks and unpacks what is missing; the result line goes to `out`, one line per
// file (and a progress line on a terminal) to `err`. Bad checksum or archive: DatasetError (2);
// network or storage failure: datasets::FetchError (3).
int data_get_command(const DataGetParams& params, std::ostream& out, std::ostream& err);

struct DataTokenizeParams {
  std::filesystem::path file;
  std::string tokenizer = "gpt2-bpe";  // the only one
  std::string format = "text";         // text: the ids on one line, then the count; or json
  std::filesystem::path data_root;     // where gpt2-bpe/ is (comet data get gpt2-bpe)
};
// The token ids of a file's bytes and their count, to `out`; the rate (MB/s) to `err`.
// DatasetError (exit 2) for a missing file, an unknown tokenizer or format.
int data_tokenize_command(const DataTokenizeParams& params, std::ostream& out, std::ostream& err);

}  // namespace comet::cli
