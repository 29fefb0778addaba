#pragma once
// Private to datasets/. Datasets published as MATLAB .mat files, read with libmatio.

#include "raw_data.h"

namespace comet::datasets {

// SVHN "format 2" (cropped digits, http://ufldl.stanford.edu/housenumbers/): train_32x32.mat and
// test_32x32.mat, each with X (uint8 32x32x3xN) and y (Nx1). Ten classes, label 0 is digit 0;
// rows of 3072 bytes in CHW order like CIFAR. extra_32x32.mat is not read.
RawData read_svhn(const ReaderContext& context);

// SARCOS inverse dynamics (http://gaussianprocess.org/gpml/data/): sarcos_inv.mat and
// sarcos_inv_test.mat, N x 28 doubles. 21 input features (7 joint positions, velocities,
// accelerations); options["target"] "1".."7" (default "1") picks the joint torque regressed.
RawData read_sarcos(const ReaderContext& context);

}  // namespace comet::datasets
