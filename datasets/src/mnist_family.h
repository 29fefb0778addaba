#pragma once
// Private to datasets/. MNIST and Fashion-MNIST from their IDX files.

#include <memory>

#include "comet/datasets/dataset.h"

namespace comet::datasets {

// Looks in <root>/<name>/ (also <root>/<name with '-'>/), then, for fashion_mnist, in Debian's
// dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist). Each file may be raw or .gz.
std::shared_ptr<const Dataset> load_mnist_family(const DatasetRequest& request);

}  // namespace comet::datasets
