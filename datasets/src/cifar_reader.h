#pragma once
// Private to datasets/. The publishers' binary versions of CIFAR-10 and CIFAR-100
// (https://www.cs.toronto.edu/~kriz/cifar.html, the "binary version" archives).

#include "raw_data.h"

namespace comet::datasets {

// data_batch_1.bin .. data_batch_5.bin (training, in that order) and test_batch.bin, each in
// <dir>/ or <dir>/cifar-10-batches-bin/. Ten classes; rows of 3072 bytes, CHW (R, G, B planes).
RawData read_cifar10(const ReaderContext& context);

// train.bin and test.bin, each in <dir>/ or <dir>/cifar-100-binary/. options["labels"]: "fine"
// (default, 100 classes) or "coarse" (20 superclasses).
RawData read_cifar100(const ReaderContext& context);

}  // namespace comet::datasets
