// The text corpora's readers: files -> documents per split, and the checksum the token cache is
// keyed by.

#include "text/text_corpora.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fetch/checksum.h"

#include "comet/datasets/dataset.h"

namespace comet::datasets {
namespace {

namespace fs = std::filesystem;

const fs::path kStdlibDir = "/usr/lib/python3.11";
const fs::path kDpkgInfo = "/var/lib/dpkg/info";

std::string read_whole(const fs::path& path, const std::string& dataset) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DatasetError("dataset " + dataset + ": cannot read " + path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Accumulates the checksum's input: the recipe, then each document's SHA-256 and part.
class Fingerprint {
 public:
  explicit Fingerprint(std::string recipe) : text_(std::move(recipe)) {}
  void add(CorpusPart part, const std::string& name, const std::string& bytes) {
    // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on the one-expression
    // concatenation.
    text_ += '\n';
    text_ += std::to_string(part);
    text_ += ' ';
    text_ += name;
    text_ += ' ';
    text_ += sha256_hex(bytes);
  }
  std::string checksum() const { return sha256_hex(text_); }

 private:
  std::string text_;
};

// dpkg's list of libpython3.11-stdlib's files ("<package>:<arch>.list" on multiarch systems).
fs::path stdlib_file_list() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kDpkgInfo, ec)) {
    const auto name = entry.path().filename().string();
    if (name.starts_with("libpython3.11-stdlib") && name.ends_with(".list")) return entry.path();
  }
  throw DatasetError(
      "dataset python_stdlib: Debian's package libpython3.11-stdlib is not installed (no "
      "libpython3.11-stdlib*.list in " +
      kDpkgInfo.string() + "); install it (apt-get install libpython3.11-stdlib)");
}

// Documents of one JSON-lines file: the string field `field` of every line.
std::vector<std::string> json_lines_field(const std::string& bytes, const std::string& field,
                                          const fs::path& file, const std::string& dataset) {
  std::vector<std::string> out;
  std::istringstream lines(bytes);
  std::string line;
  std::size_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto where = file.string() + " line " + std::to_string(number);
    nlohmann::json row;
    try {
      row = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw DatasetError("dataset " + dataset + ": " + where + " is not JSON: " + e.what());
    }
    if (!row.is_object() || !row.contains(field) || !row[field].is_string()) {
      throw DatasetError("dataset " + dataset + ": " + where + " has no string field '" + field +
                         "'");
    }
    out.push_back(row[field].get<std::string>());
  }
  return out;
}

std::string option_or(const ReaderContext& context, const std::string& key,
                      const std::string& fallback) {
  const auto it = context.options.find(key);
  return it == context.options.end() ? fallback : it->second;
}

// A path from the user: absolute, or relative to the data root's text/ folder (dirs[0]).
fs::path user_file(const ReaderContext& context, const std::string& given) {
  const fs::path p(given);
  const auto path = p.is_absolute() ? p : context.dirs.front() / p;
  if (!fs::is_regular_file(path)) {
    throw DatasetError("dataset text: file " + path.string() + " (text.file / text.val_file '" +
                       given + "') does not exist");
  }
  return path;
}

}  // namespace

CorpusPart part_of_key(const std::string& key) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const unsigned char c : key) h = (h ^ c) * 0x100000001b3ull;
  switch (h % 20) {
    case 0:
      return kTestPart;
    case 1:
      return kValidationPart;
    default:
      return kTrainPart;
  }
}

CorpusText read_python_stdlib(const ReaderContext& context) {
  const auto list = stdlib_file_list();
  std::ifstream in(list);
  std::vector<fs::path> files;
  for (std::string line; std::getline(in, line);) {
    const fs::path p(line);
    if (p.extension() == ".py" && line.starts_with(kStdlibDir.string() + "/") &&
        fs::is_regular_file(p)) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    throw DatasetError("dataset " + context.name + ": " + list.string() + " lists no .py file");
  }
  CorpusText corpus;
  corpus.end_of_text_after_each = true;
  Fingerprint fingerprint("python_stdlib v1: sorted .py of libpython3.11-stdlib, FNV-1a %20");
  for (const auto& file : files) {
    const auto key = file.lexically_relative(kStdlibDir).generic_string();
    const auto part = part_of_key(key);
    auto bytes = read_whole(file, context.name);
    fingerprint.add(part, key, bytes);
    corpus.documents[part].push_back(std::move(bytes));
  }
  corpus.files = {list};
  corpus.checksum = fingerprint.checksum();
  return corpus;
}

CorpusText read_wikitext(const ReaderContext& context) {
  const std::string folder = context.name == "wikitext103" ? "wikitext-103-raw" : "wikitext-2-raw";
  CorpusText corpus;
  Fingerprint fingerprint(context.name + " v1: wiki.{train,valid,test}.raw as they are");
  const std::array<const char*, 3> parts = {"train", "valid", "test"};
  for (int part = 0; part < 3; ++part) {
    const std::string raw = std::string("wiki.") + parts[part] + ".raw";
    // The folder the zip unpacks to, the file without it, or "<part>.txt" (how the shared
    // copies in ../shared/data/wikitext-2 are named).
    fs::path file;
    for (const auto& candidate : {folder + "/" + raw, raw, std::string(parts[part]) + ".txt"}) {
      for (const auto& dir : context.dirs) {
        if (file.empty() && fs::is_regular_file(dir / candidate)) file = dir / candidate;
      }
    }
    if (file.empty()) file = find_data_file(context, folder + "/" + raw);  // throws, listing
    auto bytes = read_whole(file, context.name);
    fingerprint.add(static_cast<CorpusPart>(part), parts[part], bytes);
    corpus.documents[part].push_back(std::move(bytes));
    corpus.files.push_back(file);
  }
  corpus.checksum = fingerprint.checksum();
  return corpus;
}

CorpusText read_codeparrot(const ReaderContext& context) {
  const auto file = find_data_file(context, "file-000000000054.json");
  const auto bytes = read_whole(file, context.name);
  CorpusText corpus;
  corpus.end_of_text_after_each = true;
  Fingerprint fingerprint("codeparrot v1: field content, FNV-1a %20 of the line number");
  auto documents = json_lines_field(bytes, "content", file, context.name);
  for (std::size_t i = 0; i < documents.size(); ++i) {
    const auto part = part_of_key(std::to_string(i));
    fingerprint.add(part, std::to_string(i), documents[i]);
    corpus.documents[part].push_back(std::move(documents[i]));
  }
  corpus.files = {file};
  corpus.checksum = fingerprint.checksum();
  return corpus;
}

CorpusText read_text_corpus(const ReaderContext& context) {
  const auto given = option_or(context, "file", "");
  if (given.empty()) {
    throw DatasetError(
        "dataset text needs text.file: a UTF-8 file (or JSON lines with "
        "text.field), absolute or relative to " +
        context.dirs.front().string());
  }
  const auto field = option_or(context, "field", "");
  const auto val_given = option_or(context, "val_file", "");
  CorpusText corpus;
  corpus.end_of_text_after_each = !field.empty();  // JSON lines: one document per line
  Fingerprint fingerprint("text v1: field '" + field + "', val_file " +
                          (val_given.empty() ? "none" : "given"));
  auto add_file = [&](const std::string& name, CorpusPart part) {
    const auto file = user_file(context, name);
    auto bytes = read_whole(file, context.name);
    corpus.files.push_back(file);
    fingerprint.add(part, file.filename().string(), bytes);
    if (field.empty()) {
      corpus.documents[part].push_back(std::move(bytes));
    } else {
      corpus.documents[part] = json_lines_field(bytes, field, file, context.name);
    }
  };
  add_file(given, kTrainPart);
  if (val_given.empty()) {
    corpus.validation_from_training_tail = true;
  } else {
    add_file(val_given, kValidationPart);
  }
  corpus.checksum = fingerprint.checksum();
  return corpus;
}

}  // namespace comet::datasets
