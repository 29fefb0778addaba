#include "csv_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "comet/datasets/dataset.h"

namespace comet::datasets {

namespace {

namespace fs = std::filesystem;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Splits a CSV text into records, one at a time, tracking the line each field starts on (a
// quoted field may span lines).
class CsvParser {
 public:
  CsvParser(std::string text, std::string name) : text_(std::move(text)), name_(std::move(name)) {
    if (text_.starts_with("\xEF\xBB\xBF"))
      pos_ = 3;  // UTF-8 byte-order mark of spreadsheet exports
  }

  // False at the end of the input (blank lines at the end included).
  bool next(std::vector<std::string>& fields, std::vector<std::int64_t>& lines) {
    fields.clear();
    lines.clear();
    if (rest_is_blank()) return false;
    if (line_is_blank()) {
      throw DatasetError(name_ + ":" + std::to_string(line_) +
                         ": blank line inside the data (only trailing blank lines are allowed)");
    }
    for (;;) {
      lines.push_back(line_);
      fields.push_back(read_field(static_cast<std::int64_t>(fields.size()) + 1));
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      skip_line_end();
      return true;
    }
  }

 private:
  bool at_line_end() const {
    return pos_ == text_.size() || text_[pos_] == '\n' ||
           (text_[pos_] == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n'));
  }
  void skip_line_end() {
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') {
      ++pos_;
      ++line_;
    }
  }
  void skip_blanks() {
    while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
  }
  bool line_is_blank() const {
    auto p = pos_;
    while (p < text_.size() && (is_blank(text_[p]) || text_[p] == '\r')) ++p;
    return p == text_.size() || text_[p] == '\n';
  }
  bool rest_is_blank() const {
    return std::all_of(text_.begin() + static_cast<std::ptrdiff_t>(pos_), text_.end(),
                       [](char c) { return is_blank(c) || c == '\r' || c == '\n'; });
  }
  DatasetError error_at(std::int64_t line, std::int64_t column, const std::string& what) const {
    return DatasetError(name_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                        what);
  }

  std::string read_field(std::int64_t column) {
    skip_blanks();
    std::string field;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      const auto opened = line_;
      for (++pos_;; ++pos_) {
        if (pos_ == text_.size()) throw error_at(opened, column, "quoted field is never closed");
        const char c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            field += '"';
            ++pos_;
            continue;
          }
          ++pos_;
          break;
        }
        if (c == '\n') ++line_;
        field += c;
      }
      skip_blanks();
      if (!at_line_end() && text_[pos_] != ',') {
        throw error_at(line_, column, "text after the closing quote");
      }
      return field;
    }
    while (!at_line_end() && text_[pos_] != ',') {
      if (text_[pos_] == '"') {
        throw error_at(line_, column, "quote inside an unquoted field (quote the whole field)");
      }
      field += text_[pos_++];
    }
    while (!field.empty() && is_blank(field.back())) field.pop_back();
    return field;
  }

  std::string text_;
  std::string name_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 1;
};

// Nullopt when `text` is a finite float, else what is wrong with it.
std::optional<std::string> parse_float(const std::string& text, float& out) {
  if (text.empty()) return "empty value, expected a number";
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (*begin == '+') ++begin;  // from_chars refuses a plus sign that other writers emit
  const auto [stop, ec] = std::from_chars(begin, end, out);
  if (ec == std::errc::result_out_of_range) return "'" + text + "' is out of float range";
  if (ec != std::errc() || stop != end) return "'" + text + "' is not a number";
  if (!std::isfinite(out)) return "'" + text + "' is not a finite number";
  return std::nullopt;
}

struct ParsedFile {
  std::vector<std::string> header;
  std::int64_t rows = 0;
  std::vector<float> features;             // [rows, header.size() - 1]
  std::vector<std::string> target_texts;   // classification
  std::vector<std::int64_t> target_lines;  // classification: for messages about unseen classes
  std::vector<float> targets;              // regression
  std::int64_t target_column = 0;          // 0-based
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DatasetError(path.string() + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw DatasetError(path.string() + ": read error");
  return text.str();
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// `expected_header`: the training file's, which a test file must repeat.
ParsedFile parse_file(const fs::path& path, const std::string& target, bool regression,
                      const std::vector<std::string>* expected_header) {
  const auto name = path.string();
  CsvParser parser(read_text(path), name);
  ParsedFile out;
  std::vector<std::int64_t> lines;
  if (!parser.next(out.header, lines)) throw DatasetError(name + ": empty file");
  std::set<std::string> seen;
  for (std::size_t c = 0; c < out.header.size(); ++c) {
    if (!seen.insert(out.header[c]).second) {
      throw DatasetError(name + ":1:" + std::to_string(c + 1) + ": column name '" + out.header[c] +
                         "' appears twice");
    }
  }
  if (expected_header != nullptr && out.header != *expected_header) {
    throw DatasetError(name + ":1: columns (" + joined(out.header) +
                       ") differ from the training file's (" + joined(*expected_header) + ")");
  }
  const auto found = std::find(out.header.begin(), out.header.end(), target);
  if (found == out.header.end()) {
    throw DatasetError(name + ":1: no target column '" + target +
                       "'; columns: " + joined(out.header));
  }
  out.target_column = found - out.header.begin();
  const auto columns = static_cast<std::int64_t>(out.header.size());
  if (columns < 2) throw DatasetError(name + ":1: no feature column besides the target");

  std::vector<std::string> fields;
  while (parser.next(fields, lines)) {
    const auto count = static_cast<std::int64_t>(fields.size());
    if (count != columns) {
      const auto at = std::min(count, columns);  // the first field too many, or after the last
      throw DatasetError(name + ":" + std::to_string(lines[0]) + ":" + std::to_string(at + 1) +
                         ": " + std::to_string(count) + " fields, but the header has " +
                         std::to_string(columns));
    }
    for (std::int64_t c = 0; c < columns; ++c) {
      auto where = [&] {
        return name + ":" + std::to_string(lines[c]) + ":" + std::to_string(c + 1) + ": column '" +
               out.header[c] + "': ";
      };
      if (c == out.target_column && !regression) {
        if (fields[c].empty()) throw DatasetError(where() + "empty class");
        out.target_texts.push_back(fields[c]);
        out.target_lines.push_back(lines[c]);
        continue;
      }
      float value = 0;
      if (auto problem = parse_float(fields[c], value)) throw DatasetError(where() + *problem);
      (c == out.target_column ? out.targets : out.features).push_back(value);
    }
    ++out.rows;
  }
  if (out.rows == 0) throw DatasetError(name + ": no data rows after the header");
  return out;
}

// Distinct target texts in class order: numerically when every one is a number, else by bytes.
std::vector<std::string> class_names(const std::vector<std::string>& texts) {
  std::set<std::string> distinct(texts.begin(), texts.end());
  std::vector<std::pair<double, std::string>> numeric;
  for (const auto& t : distinct) {
    double v = 0;
    const auto [stop, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || stop != t.data() + t.size() || !std::isfinite(v)) {
      return {distinct.begin(), distinct.end()};
    }
    numeric.emplace_back(v, t);
  }
  std::sort(numeric.begin(), numeric.end());  // "1" and "1.0" stay two classes, in text order
  std::vector<std::string> out;
  for (auto& [v, t] : numeric) out.push_back(std::move(t));
  return out;
}

RawTable to_table(ParsedFile& parsed, const std::vector<std::string>& classes,
                  const fs::path& path) {
  RawTable t;
  t.rows = parsed.rows;
  t.cols = static_cast<std::int64_t>(parsed.header.size()) - 1;
  t.floats = std::move(parsed.features);
  t.targets = std::move(parsed.targets);
  std::map<std::string, std::int64_t> index;
  for (std::size_t i = 0; i < classes.size(); ++i) index[classes[i]] = static_cast<std::int64_t>(i);
  for (std::size_t i = 0; i < parsed.target_texts.size(); ++i) {
    const auto it = index.find(parsed.target_texts[i]);
    if (it == index.end()) {
      throw DatasetError(path.string() + ":" + std::to_string(parsed.target_lines[i]) + ":" +
                         std::to_string(parsed.target_column + 1) + ": class '" +
                         parsed.target_texts[i] + "' does not occur in the training file");
    }
    t.labels.push_back(it->second);
  }
  return t;
}

const std::string* option(const ReaderContext& context, const std::string& key) {
  const auto it = context.options.find(key);
  return it == context.options.end() ? nullptr : &it->second;
}

fs::path resolve(const ReaderContext& context, const std::string& value) {
  const fs::path path(value);
  if (!path.is_absolute()) return find_data_file(context, path);
  if (!fs::is_regular_file(path)) throw DatasetError(value + ": no such file");
  return path;
}

}  // namespace

RawData read_csv(const ReaderContext& context) {
  const auto prefix = "dataset '" + context.name + "': ";
  const auto* file = option(context, "file");
  const auto* target = option(context, "target");
  if (file == nullptr || file->empty()) {
    throw DatasetError(prefix + "option 'file' (the training CSV's path) is required");
  }
  if (target == nullptr || target->empty()) {
    throw DatasetError(prefix + "option 'target' (the target column's name) is required");
  }
  const auto* task = option(context, "task");
  if (task != nullptr && *task != "classification" && *task != "regression") {
    throw DatasetError(prefix + "option 'task' is '" + *task +
                       "'; allowed: classification, regression");
  }
  const bool regression = task != nullptr && *task == "regression";

  RawData raw;
  raw.task = regression ? Task::regression : Task::classification;
  raw.files.push_back(resolve(context, *file));
  auto train = parse_file(raw.files[0], *target, regression, nullptr);
  const auto classes = regression ? std::vector<std::string>{} : class_names(train.target_texts);
  raw.outputs = regression ? 1 : static_cast<std::int64_t>(classes.size());
  const auto header = train.header;
  raw.train = to_table(train, classes, raw.files[0]);
  if (const auto* test_file = option(context, "test_file"); test_file && !test_file->empty()) {
    raw.files.push_back(resolve(context, *test_file));
    auto test = parse_file(raw.files[1], *target, regression, &header);
    raw.test = to_table(test, classes, raw.files[1]);
  } else {
    raw.test.cols = raw.train.cols;
  }
  raw.normalisation.from_training_split = true;
  raw.normalisation.source = "training split";
  return raw;
}

}  // namespace comet::datasets
