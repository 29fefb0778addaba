#include "yaml_nodes.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <map>
#include <optional>
#include <sstream>
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

namespace {

// The root of each document of a YAML stream, from the parser's events (no nodes are built).
class DocumentRoots : public YAML::EventHandler {
 public:
  const std::vector<YAML::Mark>& roots() const { return roots_; }

  void OnDocumentStart(const YAML::Mark&) override { in_document_ = false; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& mark) {
    if (!in_document_) roots_.push_back(mark);
    in_document_ = true;
  }

  std::vector<YAML::Mark> roots_;
  bool in_document_ = false;
};

bool same_place(const YAML::Mark& a, const YAML::Mark& b) {
  return a.pos == b.pos && a.line == b.line && a.column == b.column;
}

// Where the second document starts, if there is one. yaml-cpp 0.7 returns an empty document
// for a token no node can start with (a ',' outside [ ] and { }) without consuming it, so
// YAML::LoadAll would loop forever, adding documents until memory runs out
// (jbeder/yaml-cpp#1040, found by tests/fuzz/sweep_fuzzer): at most three documents are read,
// and one that starts where the one before it did is that token.
std::optional<YAML::Mark> second_document(const std::string& text, std::string_view file) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentRoots documents;
  while (documents.roots().size() < 3 && parser.HandleNextDocument(documents)) {
    const auto& roots = documents.roots();
    if (roots.size() >= 2 && same_place(roots[roots.size() - 1], roots[roots.size() - 2])) {
      const YAML::Mark& stuck = roots.back();
      const auto at = static_cast<std::size_t>(stuck.pos);
      const char token = at < text.size() ? text[at] : ' ';
      throw SweepError(
          source_mark(stuck, file),
          std::string("YAML syntax error: unexpected '") + token + "'" +
              (token == ',' ? "; a comma separates the items of [a, b] or {a: 1, b: 2}" : ""));
    }
  }
  if (documents.roots().size() < 2) return std::nullopt;
  return documents.roots()[1];
}

}  // namespace

YAML::Node load_single_document(std::string_view yaml, std::string_view file) {
  const std::string text(yaml);
  YAML::Node root;
  try {
    if (auto second = second_document(text, file)) {
      throw SweepError(source_mark(*second, file),
                       "a sweep file holds one YAML document; this is a second one");
    }
    root = YAML::Load(text);  // one document: the loop above ruled out LoadAll's
  } catch (const YAML::DeepRecursion& error) {
    // yaml-cpp's guard against running out of stack (its message is only "bad file"); it
    // trips at about 500 nested lists or maps.
    throw SweepError(source_mark(error.mark, file),
                     "the YAML nests lists or maps too deeply for the parser (hundreds of "
                     "levels); a sweep file needs at most 4 (grids: - key: [values])");
  } catch (const YAML::Exception& error) {
    throw SweepError(source_mark(error.mark, file), "YAML syntax error: " + error.msg);
  }
  return root.IsDefined() ? root : YAML::Node(YAML::NodeType::Null);
}

}  // namespace comet::sweeps
