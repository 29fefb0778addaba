#pragma once
// Private to datasets/. What a format reader hands over: plain host arrays, no torch, so that
// readers compile fast and are tested without it. load_dataset (dataset_registry.cpp) turns a
// RawData into a Dataset: seeded train/validation split, normalisation, device placement.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "comet/datasets/dataset.h"

namespace comet::datasets {

// One table of examples. Features are row-major [rows, cols], either bytes (images, kept
// compact; channel-major CHW within a row) or floats (tabular data); exactly one is filled.
// Classification fills `labels` (one class index per row, 0 <= label < classes); regression
// fills `targets` (row-major [rows, outputs]).
struct RawTable {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<std::uint8_t> bytes;
  std::vector<float> floats;
  std::vector<std::int64_t> labels;
  std::vector<float> targets;
};

// How features are normalised on the device: x' = (x * scale - mean[c]) / stddev[c], with c the
// channel of the feature (feature index / (cols / channels)). `from_training_split`: mean and
// stddev are computed per feature on the training split (after the validation split is carved
// out), and `mean`/`stddev` are ignored.
struct Normalisation {
  double scale = 1.0;  // 1/255 for bytes
  std::int64_t channels = 1;
  std::vector<double> mean{0.0};
  std::vector<double> stddev{1.0};
  bool from_training_split = false;
  std::string source;  // for docs and `comet data ls`: "published constants", "training split"
};

struct RawData {
  Task task = Task::classification;
  std::int64_t outputs = 0;  // classes, or regression targets per example
  RawTable train;            // the publisher's training file(s): validation is carved from it
  RawTable test;             // the publisher's test file(s); rows == 0 when there is none
  Normalisation normalisation;
  std::vector<std::filesystem::path> files;  // every file read, for messages and `data ls`
  // Images: {channels, height, width}, whose product is the tables' cols (rows are CHW);
  // empty for tabular data.
  std::vector<std::int64_t> image_shape;
};

// Where a reader looks and what the sweep asked of it.
struct ReaderContext {
  std::string name;                            // the dataset's name in sweeps
  std::vector<std::filesystem::path> dirs;     // candidate folders, in order (root/name first)
  std::map<std::string, std::string> options;  // dataset-scoped sweep keys, e.g. "labels"
};

// The first of dirs/relative that is a regular file; DatasetError listing every place looked.
std::filesystem::path find_data_file(const ReaderContext& context,
                                     const std::filesystem::path& relative);

}  // namespace comet::datasets
