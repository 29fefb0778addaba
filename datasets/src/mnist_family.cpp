#include "mnist_family.h"

#include <algorithm>

#include <torch/torch.h>

#include "idx_reader.h"
#include "train_val_split.h"

namespace comet::datasets {

namespace {

struct FamilyFacts {
  std::vector<std::filesystem::path> system_dirs;
  double mean, stddev;  // of the training images on the [0, 1] scale, as commonly published
};

FamilyFacts facts_for(const std::string& name) {
  if (name == "fashion_mnist") return {{"/usr/share/datasets/fashion-mnist"}, 0.2860, 0.3530};
  return {{}, 0.1307, 0.3081};
}

std::filesystem::path find_file(const std::vector<std::filesystem::path>& dirs,
                                const std::string& stem) {
  for (const auto& dir : dirs) {
    for (const auto& candidate : {dir / stem, dir / (stem + ".gz")}) {
      if (std::filesystem::is_regular_file(candidate)) return candidate;
    }
  }
  std::string looked;
  for (const auto& dir : dirs) looked += "\n  " + (dir / stem).string() + "[.gz]";
  throw DatasetError("missing data file " + stem + "; looked for:" + looked);
}

// Images and labels of one IDX pair, checked against each other.
std::pair<torch::Tensor, torch::Tensor> read_pair(const std::filesystem::path& images_path,
                                                  const std::filesystem::path& labels_path) {
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
  const auto n = images.shape[0];
  const auto dim = images.shape[1] * images.shape[2];
  auto x = torch::from_blob(images.values.data(), {n, dim}, torch::kUInt8).clone();
  auto y = torch::from_blob(labels.values.data(), {n}, torch::kUInt8).to(torch::kInt64);
  return {x, y};
}

torch::Tensor index_tensor(const std::vector<std::int64_t>& indices) {
  return torch::from_blob(const_cast<std::int64_t*>(indices.data()),
                          {static_cast<std::int64_t>(indices.size())}, torch::kInt64)
      .clone();
}

}  // namespace

std::shared_ptr<const Dataset> load_mnist_family(const DatasetRequest& request) {
  auto facts = facts_for(request.name);
  const auto root = request.data_root.empty() ? default_data_root() : request.data_root;
  auto dashed = request.name;
  std::replace(dashed.begin(), dashed.end(), '_', '-');
  std::vector<std::filesystem::path> dirs{root / request.name, root / dashed};
  dirs.insert(dirs.end(), facts.system_dirs.begin(), facts.system_dirs.end());

  DatasetInfo info{request.name, Task::classification, 0, 10, 1.0 / 255.0,
                   facts.mean,   facts.stddev,         {}};
  info.files = {
      find_file(dirs, "train-images-idx3-ubyte"), find_file(dirs, "train-labels-idx1-ubyte"),
      find_file(dirs, "t10k-images-idx3-ubyte"), find_file(dirs, "t10k-labels-idx1-ubyte")};
  auto [train_x, train_y] = read_pair(info.files[0], info.files[1]);
  auto [test_x, test_y] = read_pair(info.files[2], info.files[3]);
  if (train_x.size(1) != test_x.size(1)) {
    throw DatasetError(info.files[2].string() + ": images of " + std::to_string(test_x.size(1)) +
                       " pixels, but the training images have " + std::to_string(train_x.size(1)));
  }
  info.input_dim = train_x.size(1);
  const auto n_train = train_x.size(0);

  auto parts = split_train_validation(n_train, request.val_fraction, request.split_seed);
  if (parts.train.empty() || parts.validation.empty()) {
    throw DatasetError("val_fraction " + std::to_string(request.val_fraction) + " of " +
                       std::to_string(n_train) + " examples leaves an empty split");
  }
  const torch::Device device(request.device);
  auto make_split = [&](const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& ids) {
    return Split(x.to(device), y.to(device), ids.to(device));
  };
  auto train_ids = index_tensor(parts.train);
  auto val_ids = index_tensor(parts.validation);
  auto test_ids = torch::arange(n_train, n_train + test_x.size(0), torch::kInt64);
  return std::make_shared<Dataset>(
      info,
      make_split(train_x.index_select(0, train_ids), train_y.index_select(0, train_ids), train_ids),
      make_split(train_x.index_select(0, val_ids), train_y.index_select(0, val_ids), val_ids),
      make_split(test_x, test_y, test_ids));
}

}  // namespace comet::datasets
