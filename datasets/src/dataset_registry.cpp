#include <torch/torch.h>

#include "mnist_family.h"

#include "comet/datasets/dataset.h"

namespace comet::datasets {

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = {"fashion_mnist", "mnist"};
  return names;
}

std::shared_ptr<const Dataset> load_dataset(const DatasetRequest& request) {
  if (!(request.val_fraction > 0 && request.val_fraction < 1)) {
    throw DatasetError("val_fraction " + std::to_string(request.val_fraction) +
                       " is outside (0, 1)");
  }
  try {
    if (request.name == "fashion_mnist" || request.name == "mnist") {
      return load_mnist_family(request);
    }
  } catch (const c10::Error& e) {
    throw DatasetError("cannot place dataset '" + request.name + "' on device '" + request.device +
                       "': " + e.what_without_backtrace());
  }
  std::string allowed;
  for (const auto& n : dataset_names()) allowed += (allowed.empty() ? "" : ", ") + n;
  throw DatasetError("unknown dataset '" + request.name + "'; allowed: " + allowed);
}

}  // namespace comet::datasets
