#pragma once
// Private to datasets/. MNIST and Fashion-MNIST: IDX files, raw or gzip.

#include "raw_data.h"

namespace comet::datasets {

// Reads train-images/labels and t10k-images/labels (each raw or .gz) from the first of
// context.dirs that has them. context.name ("mnist" or "fashion_mnist") picks the
// normalisation constants. Throws DatasetError naming the file and the problem.
RawData read_mnist_family(const ReaderContext& context);

}  // namespace comet::datasets
