#include "yaml_nodes.h"

#include <yaml-cpp/depthguard.h>

#include <map>
#include <string>

#include "text_bytes.h"

namespace comet::sweeps {

SourceMark source_mark(const YAML::Mark& mark, std::string_view file) {
  SourceMark result{.file = std::string(file)};
  if (mark.line >= 0) {
    result.line = mark.line + 1;
    if (mark.column >= 0) result.column = mark.column + 1;
  }
  return result;
}

SourceMark source_mark(const YAML::Node& node, std::string_view file) {
  return source_mark(node.Mark(), file);
}

std::string node_kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a single value";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "nothing";
}

std::vector<MapEntry> map_entries(const YAML::Node& map, std::string_view file) {
  std::vector<MapEntry> entries;
  std::map<std::string, SourceMark> first_marks;
  for (auto it = map.begin(); it != map.end(); ++it) {
    // Copies: `it->` points into a proxy that dies at the end of the statement.
    YAML::Node key = it->first;
    SourceMark key_mark = source_mark(key, file);
    if (!key.IsScalar()) {
      throw SweepError(key_mark, "a key must be a plain name, not " + node_kind(key));
    }
    auto [first, inserted] = first_marks.emplace(key.Scalar(), key_mark);
    if (!inserted) {
      throw SweepError(key_mark, "duplicate key '" + excerpt(key.Scalar()) +
                                     "' (first given at line " +
                                     std::to_string(first->second.line) + "); give each key once");
    }
    YAML::Node value = it->second;
    SourceMark value_mark = value.IsNull() ? key_mark : source_mark(value, file);
    entries.push_back({key.Scalar(), key_mark, value, value_mark});
  }
  return entries;
}

YAML::Node load_single_document(std::string_view yaml, std::string_view file) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::DeepRecursion& error) {
    // yaml-cpp's guard against running out of stack (its message is only "bad file"); it
    // trips at about 500 nested lists or maps.
    throw SweepError(source_mark(error.mark, file),
                     "the YAML nests lists or maps too deeply for the parser (hundreds of "
                     "levels); a sweep file needs at most 4 (grids: - key: [values])");
  } catch (const YAML::Exception& error) {
    throw SweepError(source_mark(error.mark, file), "YAML syntax error: " + error.msg);
  }
  if (documents.size() > 1) {
    throw SweepError(source_mark(documents[1], file),
                     "a sweep file holds one YAML document; this is a second one");
  }
  return documents.empty() ? YAML::Node(YAML::NodeType::Null) : documents.front();
}

}  // namespace comet::sweeps
