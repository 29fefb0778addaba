#pragma once
// A dataset ready for training: train / validation / test splits resident on one device.
// torch-free header: tensors are reached through accessors of an opaque holder.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace comet::datasets {

// Missing or malformed data files, unknown dataset names (CLI exit code 2).
class DatasetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// language_modeling: text corpora tokenized into blocks (docs/datasets.md, "Text corpora").
enum class Task { classification, regression, language_modeling };

// One part of a dataset. Language modeling: features are int32 token ids [blocks, block_size]
// (the corpus's tokens concatenated and cut into blocks as HF's run_clm does), targets an empty
// int64 [blocks] tensor (the targets are the tokens themselves, shifted by the model), ids each
// block's index in its split.
// Otherwise: raw features (uint8 images kept compact on the device, or float32
// tabular values), targets (int64 class indices [n], or float32 regression targets
// [n, outputs]) and each example's stable id (its index in the publisher's files; test examples
// continue after the training file's).
class Split {
 public:
  Split();
  Split(at::Tensor features, at::Tensor targets, at::Tensor ids);
  ~Split();
  Split(const Split&);
  Split& operator=(const Split&);

  const at::Tensor& features() const;
  const at::Tensor& targets() const;
  const at::Tensor& ids() const;
  std::int64_t size() const;

 private:
  struct Tensors;
  std::shared_ptr<const Tensors> tensors_;
};

struct DatasetInfo {
  std::string name;
  Task task = Task::classification;
  std::int64_t input_dim = 0;   // features per example after flattening
  std::int64_t output_dim = 0;  // classes, or regression targets per example
  // Images: {channels, height, width} (C*H*W == input_dim; a row of features is the image in
  // CHW order, so features().view({n, C, H, W}) is the image batch); empty for tabular data.
  std::vector<std::int64_t> image_shape;
  // prepare() computes raw * feature_scale[i] + feature_shift[i] per feature i: the dataset's
  // normalisation (x * scale - mean) / stddev folded into one multiply-add.
  std::vector<float> feature_scale;
  std::vector<float> feature_shift;
  std::string normalisation;  // where the constants come from, for people
  // Language modeling: the tokenizer's vocabulary size (ids are in [0, vocab_size)), its name,
  // and the block length (== input_dim); output_dim == vocab_size.
  std::int64_t vocab_size = 0;
  std::string tokenizer;
  std::int64_t block_size = 0;
  // Where the corpus's uint16 token ids are cached, and whether this load read them from there
  // (true) or tokenized the text (false).
  std::filesystem::path token_cache;
  bool tokens_from_cache = false;
  std::vector<std::filesystem::path> files;  // what was read
};

class Dataset {
 public:
  // Splits live on one device; the normalisation tensors are placed on the same device.
  Dataset(DatasetInfo info, Split train, Split validation, Split test);
  ~Dataset();

  const DatasetInfo& info() const { return info_; }
  const Split& train() const { return train_; }
  const Split& validation() const { return validation_; }
  const Split& test() const { return test_; }

  // Raw features of a batch -> normalised float input on the same device (language modeling:
  // the int32 token ids -> int64, nothing else).
  at::Tensor prepare(const at::Tensor& raw_features) const;

 private:
  struct Affine;
  DatasetInfo info_;
  Split train_, validation_, test_;
  std::shared_ptr<const Affine> affine_;
};

struct DatasetRequest {
  std::string name;                 // one of dataset_names()
  std::filesystem::path data_root;  // empty: default_data_root()
  double val_fraction = 0.2;        // share of the training file held out for validation
  std::uint64_t split_seed = 0;
  std::string device = "cpu";
  // The dataset's own options from the sweep (`cifar100.labels: coarse` -> {"labels", "coarse"}).
  std::map<std::string, std::string> options;
  std::int64_t train_limit = 0;  // > 0: only the first N examples of the training file

  friend bool operator==(const DatasetRequest&, const DatasetRequest&) = default;
};

// COMET_DATA if set, else $XDG_CACHE_HOME/comet/data, else ~/.cache/comet/data.
std::filesystem::path default_data_root();

const std::vector<std::string>& dataset_names();

// Reads, validates, splits and places on the device. Throws DatasetError naming the file.
std::shared_ptr<const Dataset> load_dataset(const DatasetRequest& request);

// Datasets loaded by this process, shared by every trial that asks for the same request.
class DatasetCache {
 public:
  std::shared_ptr<const Dataset> get(const DatasetRequest& request);

 private:
  std::vector<std::pair<DatasetRequest, std::shared_ptr<const Dataset>>> entries_;
};

}  // namespace comet::datasets
