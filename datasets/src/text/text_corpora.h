#pragma once
// Private to datasets/. The text corpora (docs/datasets.md, "Text corpora"): which files each
// reads and how they become the documents of train / validation / test. Tokenizing, the token
// cache and the blocks are token_cache.h's and dataset_registry.cpp's.

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "raw_data.h"

namespace comet::datasets {

enum CorpusPart { kTrainPart = 0, kValidationPart = 1, kTestPart = 2 };

struct CorpusText {
  // Each part's documents, in order. With `end_of_text_after_each` (code corpora, as
  // CodeParrot's training does) every document is followed by <|endoftext|>; otherwise a part's
  // documents are one text (WikiText's file).
  std::array<std::vector<std::string>, 3> documents;
  bool end_of_text_after_each = false;
  // `text` without text.val_file: validation is the training file's last val_fraction of
  // blocks, carved by the registry.
  bool validation_from_training_tail = false;
  std::vector<std::filesystem::path> files;  // every file read
  // SHA-256 over what decides the tokens besides the tokenizer: the reader's recipe (split
  // rule, options, version) and every document's bytes. The token cache is keyed by it.
  std::string checksum;
};

// Debian's libpython3.11-stdlib: its .py files (dpkg's list of the package), sorted; a file's
// split from FNV-1a 64 of its path below /usr/lib/python3.11: % 20 == 0 test, == 1 validation,
// else train.
CorpusText read_python_stdlib(const ReaderContext& context);
// wikitext2 / wikitext103 (context.name): wiki.{train,valid,test}.raw as published.
CorpusText read_wikitext(const ReaderContext& context);
// CodeParrot's JSON lines (field "content"), one document per line, split as python_stdlib's
// files by FNV-1a 64 of the line's number.
CorpusText read_codeparrot(const ReaderContext& context);
// `text`: options file (UTF-8, or JSON lines with `field`), val_file (optional, same form).
CorpusText read_text_corpus(const ReaderContext& context);

// The FNV-1a 64 rule above: which part `key` falls in.
CorpusPart part_of_key(const std::string& key);

}  // namespace comet::datasets
