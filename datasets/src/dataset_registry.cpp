// load_dataset: a name -> its format reader -> checked host arrays -> a Dataset on the device
// (seeded validation split, normalisation folded into one multiply-add per feature).

#include <algorithm>
#include <cmath>
#include <functional>

#include <torch/torch.h>

#include "cifar_reader.h"
#include "corpus_dataset.h"
#include "csv_reader.h"
#include "mat_reader.h"
#include "mnist_family.h"
#include "raw_data.h"
#include "synthetic_data.h"
#include "text/text_corpora.h"
#include "tiny_imagenet_reader.h"
#include "train_val_split.h"

#include "comet/datasets/catalog.h"
#include "comet/datasets/dataset.h"

namespace comet::datasets {
namespace {

using Reader = std::function<RawData(const ReaderContext&)>;

struct KnownDataset {
  std::string name;
  Reader read;
};

// Where each dataset's files are looked for is the catalog's (search_dirs), shared with
// `comet data ls`; this table only names the reader.
const std::vector<KnownDataset>& known_datasets() {
  static const std::vector<KnownDataset> table = {
      {"mnist", read_mnist_family},
      {"fashion_mnist", read_mnist_family},
      {"cifar10", read_cifar10},
      {"cifar100", read_cifar100},
      {"svhn", read_svhn},
      {"sarcos", read_sarcos},
      {"tiny_imagenet", read_tiny_imagenet},
      {"csv", read_csv},
      {"synthetic_clusters", read_synthetic_clusters},
  };
  return table;
}

// The text corpora (Task::language_modeling): their readers hand documents, tokenized and cut
// into blocks by corpus_dataset.
struct KnownCorpus {
  std::string name;
  CorpusText (*read)(const ReaderContext&);
};

const std::vector<KnownCorpus>& known_corpora() {
  static const std::vector<KnownCorpus> table = {
      {"wikitext2", read_wikitext},    {"wikitext103", read_wikitext},
      {"codeparrot", read_codeparrot}, {"python_stdlib", read_python_stdlib},
      {"text", read_text_corpus},
  };
  return table;
}

void check_table(const std::string& what, const RawTable& t, const RawData& raw, bool optional) {
  auto fail = [&](const std::string& problem) {
    throw DatasetError("dataset " + what + ": " + problem);
  };
  if (t.rows == 0 && optional) return;
  if (t.rows < 1 || t.cols < 1) fail("no examples");
  const auto cells = static_cast<std::size_t>(t.rows * t.cols);
  if (t.bytes.size() != cells && t.floats.size() != cells) fail("feature array of wrong size");
  if (raw.task == Task::classification) {
    if (t.labels.size() != static_cast<std::size_t>(t.rows)) fail("one label per example needed");
    for (std::size_t i = 0; i < t.labels.size(); ++i) {
      if (t.labels[i] < 0 || t.labels[i] >= raw.outputs) {
        fail("label " + std::to_string(t.labels[i]) + " of example " + std::to_string(i) +
             " is outside 0.." + std::to_string(raw.outputs - 1));
      }
    }
  } else if (t.targets.size() != static_cast<std::size_t>(t.rows * raw.outputs)) {
    fail("one target row per example needed");
  }
}

torch::Tensor features_of(RawTable& t) {
  if (!t.bytes.empty()) {
    return torch::from_blob(t.bytes.data(), {t.rows, t.cols}, torch::kUInt8).clone();
  }
  if (t.rows == 0) return torch::empty({0, t.cols}, torch::kUInt8);
  return torch::from_blob(t.floats.data(), {t.rows, t.cols}, torch::kFloat32).clone();
}

torch::Tensor targets_of(RawTable& t, const RawData& raw) {
  if (raw.task == Task::classification) {
    return torch::from_blob(t.labels.data(), {t.rows}, torch::kInt64).clone();
  }
  return torch::from_blob(t.targets.data(), {t.rows, raw.outputs}, torch::kFloat32).clone();
}

// scale and shift per feature such that x * scale + shift == (x * s - mean) / stddev.
void fold_normalisation(const Normalisation& n, const torch::Tensor& train_features,
                        DatasetInfo& info) {
  const auto cols = train_features.size(1);
  std::vector<double> mean(cols), stddev(cols);
  if (n.from_training_split) {
    auto x = train_features.to(torch::kFloat64).mul(n.scale);
    auto m = x.mean(0).contiguous(), s = x.std(0, /*unbiased=*/false).contiguous();
    for (std::int64_t i = 0; i < cols; ++i) {
      mean[i] = m.data_ptr<double>()[i];
      // A constant feature carries no information; leave it centred, not divided by zero.
      const double sd = s.data_ptr<double>()[i];
      stddev[i] = sd > 1e-12 ? sd : 1.0;
    }
  } else {
    if (n.channels < 1 || cols % n.channels != 0 ||
        n.mean.size() != static_cast<std::size_t>(n.channels) ||
        n.stddev.size() != static_cast<std::size_t>(n.channels)) {
      throw std::logic_error("normalisation of '" + info.name + "' does not fit its features");
    }
    const auto per_channel = cols / n.channels;
    for (std::int64_t i = 0; i < cols; ++i) {
      mean[i] = n.mean[i / per_channel];
      stddev[i] = n.stddev[i / per_channel];
    }
  }
  info.feature_scale.resize(cols);
  info.feature_shift.resize(cols);
  for (std::int64_t i = 0; i < cols; ++i) {
    info.feature_scale[i] = static_cast<float>(n.scale / stddev[i]);
    info.feature_shift[i] = static_cast<float>(-mean[i] / stddev[i]);
  }
  info.normalisation = n.source;
}

// train_limit: the first N examples of the training file, as `Subset(full, range(N))` in the
// authors' loop; the validation split is then carved from those N.
void keep_first_examples(RawData& raw, std::int64_t limit, const std::string& name) {
  auto& t = raw.train;
  if (limit <= 0) return;
  if (limit > t.rows) {
    throw DatasetError("train_limit " + std::to_string(limit) + " exceeds the " +
                       std::to_string(t.rows) + " examples of " + name + "'s training file");
  }
  const auto cells = static_cast<std::size_t>(limit * t.cols);
  if (!t.bytes.empty()) t.bytes.resize(cells);
  if (!t.floats.empty()) t.floats.resize(cells);
  if (!t.labels.empty()) t.labels.resize(static_cast<std::size_t>(limit));
  if (!t.targets.empty()) t.targets.resize(static_cast<std::size_t>(limit * raw.outputs));
  t.rows = limit;
}

std::shared_ptr<const Dataset> assemble(const DatasetRequest& request, RawData raw) {
  check_table(request.name + " (training file)", raw.train, raw, false);
  check_table(request.name + " (test file)", raw.test, raw, true);
  if (raw.test.rows > 0 && raw.test.cols != raw.train.cols) {
    throw DatasetError("dataset " + request.name + ": the test file has " +
                       std::to_string(raw.test.cols) + " features per example, the training file " +
                       std::to_string(raw.train.cols));
  }
  const auto n_train = raw.train.rows;
  auto parts = split_train_validation(n_train, request.val_fraction, request.split_seed);
  if (parts.train.empty() || parts.validation.empty()) {
    throw DatasetError("val_fraction " + std::to_string(request.val_fraction) + " of " +
                       std::to_string(n_train) + " examples of " + request.name +
                       " leaves an empty split");
  }
  auto index = [](std::vector<std::int64_t>& v) {
    return torch::from_blob(v.data(), {static_cast<std::int64_t>(v.size())}, torch::kInt64).clone();
  };
  auto train_x = features_of(raw.train), train_y = targets_of(raw.train, raw);
  auto train_ids = index(parts.train), val_ids = index(parts.validation);
  auto fit_x = train_x.index_select(0, train_ids);

  DatasetInfo info;
  info.name = request.name;
  info.task = raw.task;
  info.input_dim = raw.train.cols;
  info.output_dim = raw.outputs;
  info.files = raw.files;
  info.image_shape = raw.image_shape;
  if (!info.image_shape.empty()) {
    std::int64_t pixels = 1;
    for (auto side : info.image_shape) pixels *= side;
    // Invariant of the image readers: their rows are whole CHW images.
    if (info.image_shape.size() != 3 || pixels != info.input_dim) {
      throw std::logic_error("image shape of '" + info.name + "' does not fit its features");
    }
  }
  fold_normalisation(raw.normalisation, fit_x, info);

  const torch::Device device(request.device);
  auto make_split = [&](const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& ids) {
    return Split(x.to(device), y.to(device), ids.to(device));
  };
  auto test_x = raw.test.rows > 0 ? features_of(raw.test) : train_x.narrow(0, 0, 0);
  auto test_y = raw.test.rows > 0 ? targets_of(raw.test, raw) : train_y.narrow(0, 0, 0);
  auto test_ids = torch::arange(n_train, n_train + raw.test.rows, torch::kInt64);
  return std::make_shared<Dataset>(
      info, make_split(fit_x, train_y.index_select(0, train_ids), train_ids),
      make_split(train_x.index_select(0, val_ids), train_y.index_select(0, val_ids), val_ids),
      make_split(test_x, test_y, test_ids));
}

}  // namespace

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& d : known_datasets()) out.push_back(d.name);
    for (const auto& c : known_corpora()) out.push_back(c.name);
    return out;
  }();
  return names;
}

std::shared_ptr<const Dataset> load_dataset(const DatasetRequest& request) {
  if (!(request.val_fraction > 0 && request.val_fraction < 1)) {
    throw DatasetError("val_fraction " + std::to_string(request.val_fraction) +
                       " is outside (0, 1)");
  }
  const auto root = request.data_root.empty() ? default_data_root() : request.data_root;
  for (const auto& known : known_corpora()) {
    if (known.name != request.name) continue;
    const auto& entry = find_entry(builtin_catalog(), request.name);
    ReaderContext context{request.name, search_dirs(entry, root), request.options};
    return corpus_dataset(request, known.read(context), root, root / request.name / "tokens");
  }
  for (const auto& known : known_datasets()) {
    if (known.name != request.name) continue;
    const auto& entry = find_entry(builtin_catalog(), request.name);
    ReaderContext context{request.name, search_dirs(entry, root), request.options};
    auto raw = known.read(context);
    keep_first_examples(raw, request.train_limit, request.name);
    try {
      return assemble(request, std::move(raw));
    } catch (const c10::Error& e) {
      throw DatasetError("cannot place dataset '" + request.name + "' on device '" +
                         request.device + "': " + e.what_without_backtrace());
    }
  }
  std::string allowed;
  for (const auto& n : dataset_names()) allowed += (allowed.empty() ? "" : ", ") + n;
  throw DatasetError("unknown dataset '" + request.name + "'; allowed: " + allowed);
}

}  // namespace comet::datasets
