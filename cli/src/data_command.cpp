#include "comet/cli/data_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <vector>

#include "comet/cli/exit_codes.h"
#include "comet/datasets/bpe_tokenizer.h"
#include "comet/datasets/dataset.h"
#include "comet/datasets/fetch.h"

namespace comet::cli {

namespace {

namespace ds = datasets;

const ds::DatasetCatalog& catalog_of(const ds::DatasetCatalog* injected) {
  return injected ? *injected : ds::builtin_catalog();
}

std::filesystem::path root_of(const std::filesystem::path& given) {
  return given.empty() ? ds::default_data_root() : given;
}

Cell text_or_empty(const std::string& s) { return s.empty() ? Cell{} : Cell(s); }

// "4/4", "0/4", or "3/4, missing: t10k-labels-idx1-ubyte.gz" (at most two names: a table
// row; the json output lists every file).
std::string files_summary(const ds::DatasetStatus& status) {
  std::vector<std::string> missing;
  for (const auto& f : status.files) {
    if (f.found.empty()) missing.push_back(f.name);
  }
  const auto present = status.files.size() - missing.size();
  auto text = std::to_string(present) + "/" + std::to_string(status.files.size());
  if (present == 0 || missing.empty()) return text;
  text += ", missing: " + missing[0];
  if (missing.size() > 1) text += ", " + missing[1];
  if (missing.size() > 2) text += " and " + std::to_string(missing.size() - 2) + " more";
  return text;
}

// "4 match", "1 mismatch, 3 match", "2 no published checksum"
std::string checksums_summary(const ds::DatasetStatus& status) {
  std::map<ds::ChecksumState, int> counts;
  for (const auto& c : status.checksums) ++counts[c.state];
  std::string text;
  for (const auto& [state, n] : counts) {
    text += (text.empty() ? "" : ", ") + std::to_string(n) + " " + std::string(to_string(state));
  }
  return text;
}

nlohmann::ordered_json status_json(const ds::DatasetEntry& entry, const ds::DatasetStatus& status) {
  auto null_if_empty = [](const std::string& s) -> nlohmann::ordered_json {
    return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s);
  };
  nlohmann::ordered_json row;
  row["name"] = entry.name;
  row["task"] = entry.task;
  row["description"] = entry.description;
  row["status"] = std::string(to_string(status.state));
  row["folder"] = status.state == ds::DatasetState::not_applicable
                      ? nlohmann::ordered_json(nullptr)
                      : nlohmann::ordered_json(status.folder.string());
  row["found_in"] = null_if_empty(status.location.string());
  row["source"] = null_if_empty(status.source);
  auto files = nlohmann::ordered_json::array();
  for (const auto& f : status.files) {
    files.push_back({{"name", f.name},
                     {"state", f.found.empty() ? "missing" : "present"},
                     {"path", null_if_empty(f.found.string())}});
  }
  row["files"] = std::move(files);
  auto checks = nlohmann::ordered_json::array();
  for (const auto& c : status.checksums) {
    checks.push_back({{"file", c.file},
                      {"state", std::string(to_string(c.state))},
                      {"algorithm", c.algorithm},
                      {"expected_md5", null_if_empty(c.expected)},
                      {"actual_md5", null_if_empty(c.actual)},
                      {"checked_against", c.expected.empty() ? nlohmann::ordered_json(nullptr)
                                                             : nlohmann::ordered_json(c.authority)},
                      {"path", null_if_empty(c.path.string())}});
  }
  row["checksums"] = std::move(checks);
  return row;
}

}  // namespace

int data_ls_command(const DataLsParams& params, std::ostream& out) {
  const auto& catalog = catalog_of(params.catalog);
  const auto root = root_of(params.data_root);
  if (params.format == OutputFormat::json) {
    // Nested per-file states: more than one table row can carry, and what scripts want.
    auto array = nlohmann::ordered_json::array();
    for (const auto& entry : catalog) {
      array.push_back(status_json(entry, ds::inspect_dataset(entry, root)));
    }
    out << array.dump(2) << "\n";
    return kExitOk;
  }
  Table table;
  table.columns = {{"name"},      {"status"},   {"task"},   {"files"},
                   {"checksums"}, {"found_in"}, {"source"}, {"folder"}};
  for (const auto& entry : catalog) {
    const auto status = ds::inspect_dataset(entry, root);
    if (status.state == ds::DatasetState::not_applicable) {
      table.rows.push_back({entry.name, std::string(to_string(status.state)), entry.task,
                            "none: " + entry.no_files_reason, Cell{}, Cell{}, Cell{}, Cell{}});
      continue;
    }
    table.rows.push_back({entry.name, std::string(to_string(status.state)), entry.task,
                          files_summary(status), checksums_summary(status),
                          text_or_empty(status.location.string()), text_or_empty(status.source),
                          status.folder.string()});
  }
  print_table(table, params.format, out);
  return kExitOk;
}

int data_verify_command(const DataVerifyParams& params, std::ostream& out) {
  const auto& entry = ds::find_entry(catalog_of(params.catalog), params.name);
  const auto status = ds::inspect_dataset(entry, root_of(params.data_root));
  if (status.state == ds::DatasetState::not_applicable) {
    out << entry.name << ": nothing to verify (" << entry.no_files_reason << ")\n";
    return kExitOk;
  }
  if (std::all_of(status.files.begin(), status.files.end(),
                  [](const auto& f) { return f.found.empty(); })) {
    throw ds::DatasetError("dataset '" + entry.name + "' is not in " + status.folder.string() +
                           " (nor in the other folders its reader searches); `comet data get " +
                           entry.name + "` fetches it");
  }
  Table table;
  table.columns = {{"file"},       {"result"},          {"expected_md5"},
                   {"actual_md5"}, {"checked_against"}, {"path"}};
  std::string problems;
  std::set<std::string> listed;  // a reader file that is also a publisher file is listed once
  for (const auto& c : status.checksums) {
    listed.insert(c.file);
    table.rows.push_back({c.file, std::string(to_string(c.state)), text_or_empty(c.expected),
                          text_or_empty(c.actual), c.expected.empty() ? Cell{} : Cell(c.authority),
                          text_or_empty(c.path.string())});
    if (c.state == ds::ChecksumState::mismatch) {
      problems += "\n  " + c.path.string() + ": " + c.algorithm + " " + c.actual + ", expected " +
                  c.expected + " (" + c.authority + ")";
    } else if (c.state == ds::ChecksumState::missing) {
      problems += "\n  " + c.file + ": missing (" +
                  (c.expected.empty() ? "no published checksum"
                                      : "expected " + c.algorithm + " " + c.expected) +
                  "; looked in " + status.folder.string() + ")";
    }
  }
  // A file the reader needs but no publisher file covers (a CIFAR batch deleted after
  // unpacking) is missing too.
  for (const auto& f : status.files) {
    if (!f.found.empty() || listed.count(f.name)) continue;
    table.rows.push_back({f.name, "missing", Cell{}, Cell{}, Cell{}, Cell{}});
    problems += "\n  " + f.name + ": missing (the reader needs it; looked in " +
                status.folder.string() + ")";
  }
  print_table(table, OutputFormat::table, out);
  if (!problems.empty()) {
    throw ds::DatasetError("dataset '" + entry.name + "' does not verify:" + problems +
                           "\n`comet data get " + entry.name +
                           "` downloads what is missing or damaged");
  }
  out << entry.name << ": " << to_string(status.state);
  if (status.state == ds::DatasetState::verified) {
    out << " (every published checksum matches)";
  } else {
    out << " (no published checksum to compare with)";
  }
  out << " in " << status.location.string() << "\n";
  return kExitOk;
}

int data_get_command(const DataGetParams& params, std::ostream& out, std::ostream& err) {
  const auto& entry = ds::find_entry(catalog_of(params.catalog), params.name);
  ds::FetchOptions options;
  options.mirror = params.mirror;
  options.retry_delay = params.retry_delay;
  options.progress_is_terminal = params.progress_is_terminal;
  const auto report = ds::fetch_dataset(entry, root_of(params.data_root), options, err);
  const auto& status = report.status;
  switch (report.outcome) {
    case ds::FetchOutcome::nothing_to_download:
      out << entry.name << ": nothing to download (" << entry.no_files_reason << ")\n";
      break;
    case ds::FetchOutcome::already_verified:
      out << entry.name << ": already present and verified in " << status.location.string() << " ("
          << status.source << ")\n";
      break;
    case ds::FetchOutcome::already_present:
      out << entry.name << ": already present in " << status.location.string() << " ("
          << status.source << "); not verified: " << checksums_summary(status) << "\n";
      break;
    case ds::FetchOutcome::downloaded:
      out << entry.name << ": " << to_string(status.state) << " in " << status.folder.string()
          << (status.state == ds::DatasetState::verified ? "" : " (no published checksum)") << "\n";
      break;
  }
  return kExitOk;
}

int data_tokenize_command(const DataTokenizeParams& params, std::ostream& out, std::ostream& err) {
  if (params.tokenizer != ds::kGpt2BpeEntry) {
    throw ds::DatasetError("tokenizer '" + params.tokenizer + "' is not known; allowed: gpt2-bpe");
  }
  if (params.format != "text" && params.format != "json") {
    throw ds::DatasetError("format '" + params.format + "' is not known; allowed: text, json");
  }
  std::ifstream in(params.file, std::ios::binary);
  if (!in) throw ds::DatasetError("cannot read " + params.file.string());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto tokenizer = ds::BpeTokenizer::from_data_root(root_of(params.data_root));
  const auto start = std::chrono::steady_clock::now();
  const auto ids = tokenizer.encode(text);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (params.format == "json") {
    nlohmann::ordered_json doc;
    doc["file"] = params.file.string();
    doc["tokenizer"] = params.tokenizer;
    doc["bytes"] = text.size();
    doc["count"] = ids.size();
    doc["ids"] = ids;
    out << doc.dump() << "\n";
  } else {
    for (std::size_t i = 0; i < ids.size(); ++i) out << (i == 0 ? "" : " ") << ids[i];
    out << "\n" << ids.size() << " tokens\n";
  }
  err << fmt::format("{}: {} bytes -> {} tokens in {:.3f} s ({:.2f} MB/s, one thread)\n",
                     params.file.string(), text.size(), ids.size(), seconds,
                     seconds > 0 ? text.size() / 1e6 / seconds : 0.0);
  return kExitOk;
}

}  // namespace comet::cli
