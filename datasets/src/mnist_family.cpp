#include "mnist_family.h"

#include <algorithm>
#include <utility>

#include "idx_reader.h"

namespace comet::datasets {
namespace {

// The file stem, raw or gzip-compressed (the publishers ship .gz; many copies are unpacked).
std::filesystem::path find_idx(const ReaderContext& context, const std::string& stem) {
  for (const auto& dir : context.dirs) {
    for (const auto& candidate : {dir / stem, dir / (stem + ".gz")}) {
      if (std::filesystem::is_regular_file(candidate)) return candidate;
    }
  }
  return find_data_file(context, stem + ".gz");  // throws, listing the places looked
}

// Images and labels of one IDX pair, checked against each other; `side` gets the images'
// {height, width}.
RawTable read_pair(const std::filesystem::path& images_path,
                   const std::filesystem::path& labels_path,
                   std::pair<std::int64_t, std::int64_t>& side) {
  auto images = read_idx_u8(images_path, 3);
  auto labels = read_idx_u8(labels_path, 1);
  if (images.shape[0] != labels.shape[0]) {
    throw DatasetError(labels_path.string() + ": " + std::to_string(labels.shape[0]) +
                       " labels for " + std::to_string(images.shape[0]) + " images in " +
                       images_path.string());
  }
  const auto bad = std::find_if(labels.values.begin(), labels.values.end(),
                                [](std::uint8_t v) { return v > 9; });
  if (bad != labels.values.end()) {
    throw DatasetError(labels_path.string() + ": label " + std::to_string(*bad) + " at index " +
                       std::to_string(bad - labels.values.begin()) + " is outside 0..9");
  }
  RawTable table;
  table.rows = images.shape[0];
  table.cols = images.shape[1] * images.shape[2];
  side = {images.shape[1], images.shape[2]};
  table.bytes = std::move(images.values);
  table.labels.assign(labels.values.begin(), labels.values.end());
  return table;
}

}  // namespace

RawData read_mnist_family(const ReaderContext& context) {
  RawData data;
  data.outputs = 10;
  // Mean and standard deviation of the training images on the [0, 1] scale, as published.
  const bool fashion = context.name == "fashion_mnist";
  data.normalisation.scale = 1.0 / 255.0;
  data.normalisation.mean = {fashion ? 0.2860 : 0.1307};
  data.normalisation.stddev = {fashion ? 0.3530 : 0.3081};
  data.normalisation.source = "published constants";
  data.files = {
      find_idx(context, "train-images-idx3-ubyte"), find_idx(context, "train-labels-idx1-ubyte"),
      find_idx(context, "t10k-images-idx3-ubyte"), find_idx(context, "t10k-labels-idx1-ubyte")};
  std::pair<std::int64_t, std::int64_t> train_side, test_side;
  data.train = read_pair(data.files[0], data.files[1], train_side);
  data.test = read_pair(data.files[2], data.files[3], test_side);
  data.image_shape = {1, train_side.first, train_side.second};
  if (data.train.cols != data.test.cols) {
    throw DatasetError(data.files[2].string() + ": images of " + std::to_string(data.test.cols) +
                       " pixels, but the training images have " + std::to_string(data.train.cols));
  }
  return data;
}

}  // namespace comet::datasets
