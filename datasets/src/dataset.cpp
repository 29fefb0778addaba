#include "comet/datasets/dataset.h"

#include <cassert>
#include <cstdlib>

#include <torch/torch.h>

namespace comet::datasets {

struct Split::Tensors {
  torch::Tensor features, targets, ids;
};

Split::Split() : tensors_(std::make_shared<Tensors>()) {}
Split::Split(at::Tensor features, at::Tensor targets, at::Tensor ids)
    : tensors_(std::make_shared<Tensors>(
          Tensors{std::move(features), std::move(targets), std::move(ids)})) {}
Split::~Split() = default;
Split::Split(const Split&) = default;
Split& Split::operator=(const Split&) = default;

const at::Tensor& Split::features() const { return tensors_->features; }
const at::Tensor& Split::targets() const { return tensors_->targets; }
const at::Tensor& Split::ids() const { return tensors_->ids; }
std::int64_t Split::size() const {
  return tensors_->targets.defined() ? tensors_->targets.size(0) : 0;
}

struct Dataset::Affine {
  torch::Tensor scale, shift;  // [input_dim] float32 on the splits' device
};

Dataset::Dataset(DatasetInfo info, Split train, Split validation, Split test)
    : info_(std::move(info)),
      train_(std::move(train)),
      validation_(std::move(validation)),
      test_(std::move(test)) {
  // Token ids are not normalised: a language model embeds them.
  if (info_.task == Task::language_modeling) return;
  // Invariant of load_dataset: one value per feature.
  assert(static_cast<std::int64_t>(info_.feature_scale.size()) == info_.input_dim);
  auto to_tensor = [&](const std::vector<float>& v) {
    return torch::tensor(v, torch::kFloat32).to(train_.features().device());
  };
  affine_ = std::make_shared<Affine>(
      Affine{to_tensor(info_.feature_scale), to_tensor(info_.feature_shift)});
}
Dataset::~Dataset() = default;

at::Tensor Dataset::prepare(const at::Tensor& raw_features) const {
  if (info_.task == Task::language_modeling) return raw_features.to(torch::kInt64);
  // One fused pass per batch: x * (scale / std) - mean / std == (x * scale - mean) / std.
  return torch::addcmul(affine_->shift, raw_features.to(torch::kFloat32), affine_->scale);
}

std::filesystem::path default_data_root() {
  if (const char* env = std::getenv("COMET_DATA"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return std::filesystem::path(xdg) / "comet" / "data";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::filesystem::path(home) / ".cache" / "comet" / "data";
  }
  return std::filesystem::path(".comet-data");
}

std::shared_ptr<const Dataset> DatasetCache::get(const DatasetRequest& request) {
  for (const auto& [key, dataset] : entries_) {
    if (key == request) return dataset;
  }
  auto dataset = load_dataset(request);
  entries_.emplace_back(request, dataset);
  return dataset;
}

}  // namespace comet::datasets
